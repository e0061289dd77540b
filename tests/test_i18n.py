"""Catalogs: the template is current, English and Russian are complete, placeholders match."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGE_NAMES, Catalogs
from bot.i18n.catalogs import default_locales_dir
from bot.intake.loader import load_form

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[^}]*\}")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load()


def test_the_template_holds_every_message_in_code_and_form(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", str(fresh), "--no-location",
         "--add-comments=form:", "--sort-output", "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with fresh.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (default_locales_dir() / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert wanted - committed == set(), "run `make messages` and translate the new strings"
    assert committed - wanted == set(), "run `make messages` to drop strings no longer used"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_english_and_russian_are_complete_and_offered(catalogs: Catalogs, language: str) -> None:
    assert catalogs.coverage(language).complete
    assert language in catalogs.offered


def test_every_form_text_is_translated_into_russian(catalogs: Catalogs) -> None:
    form = load_form()
    texts = [q.text for q in form.questions()] + [s.title for s in form.sections]
    texts += [c.label for choices in form.choice_lists.values() for c in choices]
    assert catalogs.missing("ru", texts) == []


@pytest.mark.parametrize("language", sorted(set(LANGUAGE_NAMES) - {"en"}))
def test_translations_keep_placeholders(language: str) -> None:
    path = default_locales_dir() / language / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=language)
    for message in catalog:
        if not message.id:
            continue
        ids = [
            str(part) for part in (message.id if isinstance(message.id, tuple) else [message.id])
        ]
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        raw = message.string if isinstance(message.string, tuple) else [message.string]
        for string in (str(part) for part in raw if part):
            assert set(PLACEHOLDER.findall(string)) <= wanted, (language, message.id, string)


def test_unfinished_languages_load_but_are_not_offered(catalogs: Catalogs) -> None:
    for language in ("kk", "ky", "tg", "uz", "tk"):
        if not catalogs.coverage(language).complete:
            assert language not in catalogs.offered


def test_language_choice_follows_the_telegram_client(catalogs: Catalogs) -> None:
    assert catalogs.best_language("ru") == "ru"
    assert catalogs.best_language("en-GB") == "en"
    assert catalogs.best_language("de") == "ru"
    assert catalogs.best_language(None) == "ru"


@pytest.mark.parametrize(
    ("code", "language"),
    [("uz-UZ", "uz"), ("kk-KZ", "kk"), ("ru-RU", "ru"), ("ky-KG", "ky"), ("tg-TJ", "tg"),
     ("tk-TM", "tk"), ("uz-Cyrl", "uz_Cyrl"), ("uz-Cyrl-UZ", "uz_Cyrl"), ("uz_Cyrl", "uz_Cyrl"),
     ("uz-Latn-UZ", "uz"), ("KK", "kk"), ("", "ru"), ("-", "ru"), ("zz-Cyrl", "ru")],
)  # fmt: skip
def test_regional_and_script_forms_find_their_language(
    catalogs: Catalogs, code: str, language: str
) -> None:
    assert catalogs.best_language(code) == language


def test_the_picker_lists_every_language_by_its_own_name(catalogs: Catalogs) -> None:
    assert catalogs.offered == tuple(LANGUAGE_NAMES)
    assert list(LANGUAGE_NAMES.values()) == [
        "Русский", "Қазақша", "Кыргызча", "Тоҷикӣ", "Oʻzbekcha", "Ўзбекча", "Türkmençe", "English"
    ]  # fmt: skip


def test_russian_plural_forms_are_used(catalogs: Catalogs) -> None:
    t = catalogs.translator("ru")
    forms = {t.ngettext("{n} file received.", "{n} files received.", n) for n in (1, 2, 5)}
    assert len(forms) == 3


def test_menus_are_set_per_two_letter_code_and_once_by_default(catalogs: Catalogs) -> None:
    from bot.profile import menu_languages

    pairs = menu_languages(catalogs)
    assert ("uz", "uz") in pairs
    assert ("kk", "kk") in pairs
    assert all(len(code) in (0, 2) for _, code in pairs), "Telegram takes ISO 639-1 codes only"
    assert pairs[-1] == ("ru", "")


def test_check_fails_when_a_listed_language_is_below_complete(tmp_path: Path) -> None:
    import shutil

    from bot.cli import translation_report

    copy = tmp_path / "locales"
    shutil.copytree(default_locales_dir(), copy)
    po = copy / "tk" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(po.read_bytes()), locale="tk")
    first = next(m for m in catalog if m.id and isinstance(m.id, str))
    first.string = ""
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog)
    po.write_bytes(buffer.getvalue())
    lines, failed = translation_report(Catalogs.load(copy))
    assert failed == 1
    assert any("translation tk: 1 messages untranslated" in line for line in lines)
    assert "tk" not in Catalogs.load(copy).offered
    assert translation_report(Catalogs.load())[1] == 0


def test_every_language_has_an_honest_review_status() -> None:
    from bot.i18n.review import Review, shows_draft_notice, status

    for language in LANGUAGE_NAMES:
        if language == "en":
            assert status(language).review == Review.SOURCE
        else:  # no review has happened yet: never claim one
            assert status(language).review == Review.DRAFT
            assert status(language).reviewed_by is None
    assert not shows_draft_notice("ru")
    assert shows_draft_notice("uz_Cyrl")
