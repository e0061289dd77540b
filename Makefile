# Everyday tasks. `make install` once, then `make run` or `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANGUAGES := ru kk ky tg uz tk

.PHONY: install run test test-postgres lint format typecheck messages desk-messages \
	browser-messages uz-cyrillic desk desk-data desk-check check try bench clean lock

$(BIN)/complaint-bot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(BIN)/complaint-bot

run: install
	$(BIN)/complaint-bot run

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

check: install
	$(BIN)/complaint-bot check

try: install
	$(BIN)/complaint-bot try

bench: install
	$(BIN)/python -m bench.intake

# Re-extract every message (code and form) into the template, then merge it into each catalog.
messages: install browser-messages
	$(BIN)/pybabel extract -F babel.cfg -o bot/locales/messages.pot --no-location \
		--add-comments=form: --sort-output --project complaint-bot \
		--copyright-holder "complaint-bot contributors" .
	for lang in $(LANGUAGES); do \
		if [ -f bot/locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i bot/locales/messages.pot -d bot/locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -i bot/locales/messages.pot -d bot/locales -l $$lang; \
		fi; \
	done

# Uzbek Cyrillic is never edited: it is written from the Latin catalogs by the tested converter.
uz-cyrillic: install
	for domain in messages desk browser; do \
		$(BIN)/python -m bot.i18n.uzbek_cyrillic bot/locales/uz/LC_MESSAGES/$$domain.po \
			bot/locales/uz_Cyrl/LC_MESSAGES/$$domain.po; \
	done

# The browser desk page's own words (t("...") in desk/src/*.ts) live in their own domain,
# browser.po, so they never hold back a language the bot offers to complainants.
browser-messages: install
	$(BIN)/pybabel extract -F browser-babel.cfg -o bot/locales/browser.pot --no-location \
		--sort-output --project complaint-bot \
		--copyright-holder "complaint-bot contributors" .
	for lang in $(LANGUAGES); do \
		if [ -f bot/locales/$$lang/LC_MESSAGES/browser.po ]; then \
			$(BIN)/pybabel update -D browser -i bot/locales/browser.pot -d bot/locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -D browser -i bot/locales/browser.pot -d bot/locales -l $$lang; \
		fi; \
	done

# The browser desk: data files from the form and catalogs, then ONE self-contained page,
# desk/dist/desk.html (checked in; the Python package ships it as bot/desk_web/desk.html).
desk/node_modules/.package-lock.json: desk/package.json desk/package-lock.json
	cd desk && npm ci --no-audit --no-fund

desk-data: install
	$(BIN)/python -m bot.desk_web.data

desk: desk-data desk/node_modules/.package-lock.json
	cd desk && npx tsc --noEmit && node build.mjs

desk-check: desk/node_modules/.package-lock.json
	cd desk && npx tsc --noEmit

# The desk's own words (bot/desk: w(...), words(...), desk_word(...)) into the `desk` catalogs.
desk-messages: install
	$(BIN)/pybabel extract --no-default-keywords -k w -k words -k desk_word --no-location \
		--sort-output --project complaint-bot --copyright-holder "complaint-bot contributors" \
		-o bot/locales/desk.pot bot/desk
	for lang in $(LANGUAGES); do \
		if [ -f bot/locales/$$lang/LC_MESSAGES/desk.po ]; then \
			$(BIN)/pybabel update -D desk -i bot/locales/desk.pot -d bot/locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -D desk -i bot/locales/desk.pot -d bot/locales -l $$lang; \
		fi; \
	done

# Re-lock the dependencies (with hashes) after a change to pyproject.toml; the image and CI
# install from these files.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11
lock: install
	$(BIN)/pip install --quiet "uv>=0.4,<1"
	$(LOCK) pyproject.toml -o requirements.lock
	$(LOCK) pyproject.toml --extra dev -o requirements-dev.lock
	echo 'setuptools>=69,<81' 'wheel>=0.43' | tr ' ' '\n' | $(LOCK) - -o requirements-build.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
