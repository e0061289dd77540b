"""Generate the desk's data files from the form and the catalogs (`make desk-data`).

- `bot/desk_web/columns.json`: the columns of the cases spreadsheet, in order. The browser desk
  and the Python desk (`complaint-bot desk export`) read this one file.
- `desk/src/generated/form.json`: sections, questions and choices, for the page's case view.
- `desk/src/generated/catalogs.json`: for each language, the translations of exactly the
  msgids the page uses: every form text (from `messages.po`) and the page's own words (from
  `browser.po`, extracted from `desk/src/*.ts`).

Run `python -m bot.desk_web.data` after changing the form, a catalog or the page's words; a test
fails while a checked-in file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from bot.i18n.catalogs import LANGUAGE_NAMES, SOURCE_LANGUAGE, default_locales_dir
from bot.i18n.extract import desk_strings
from bot.intake.form import Form
from bot.intake.loader import load_form

ROOT = Path(__file__).resolve().parents[2]
COLUMNS_FILE = Path(__file__).with_name("columns.json")
GENERATED = ROOT / "desk" / "src" / "generated"
PAGE_DOMAIN = "browser"
COLUMNS_SCHEMA = "complaint-bot/columns/v1"


def columns_of(form: Form) -> list[dict[str, Any]]:
    """Case facts, status, one column per question (multi-choice: one 0/1 column per choice),
    the attachments' names and SHA-256, then empty columns for staff to fill in."""
    columns: list[dict[str, Any]] = [
        {"name": "reference", "kind": "case", "path": "reference"},
        {"name": "received_on", "kind": "case", "path": "received_on"},
        {"name": "urgency", "kind": "case", "path": "urgency.level"},
        {"name": "urgency_score", "kind": "case", "path": "urgency.score"},
        {"name": "cross_border", "kind": "case", "path": "routing.cross_border"},
        {"name": "country_of_events", "kind": "case", "path": "routing.country_of_events"},
        {"name": "coalition", "kind": "case", "path": "coalition.id"},
        {"name": "language", "kind": "case", "path": "language"},
        {"name": "demo", "kind": "case", "path": "demo"},
        {"name": "form_version", "kind": "case", "path": "form.version"},
        {"name": "consent_withdrawn", "kind": "status", "field": "consent_withdrawn"},
        {"name": "later_files", "kind": "status", "field": "later_files"},
        {"name": "last_activity", "kind": "status", "field": "last_activity"},
        {"name": "receipt", "kind": "status", "field": "receipt"},
    ]
    for section in form.sections:
        for question in section.questions:
            if not question.answerable:
                continue
            if question.type == "multi":
                columns.extend(
                    {
                        "name": f"{question.id}/{choice.code}",
                        "kind": "choice",
                        "question_id": question.id,
                        "code": choice.code,
                    }
                    for choice in form.choices_for(question)
                )
            else:
                columns.append({"name": question.id, "kind": "answer", "question_id": question.id})
    columns += [
        {"name": "attachment_names", "kind": "attachments", "field": "name"},
        {"name": "attachment_sha256", "kind": "attachments", "field": "sha256"},
        {"name": "classification", "kind": "staff"},
        {"name": "outcome", "kind": "staff"},
        {"name": "notes", "kind": "staff"},
    ]
    return columns


def form_data(form: Form) -> dict[str, Any]:
    """What the page needs to lay a case out: sections in order, questions, choice labels."""
    return {
        "id": form.id,
        "version": form.version,
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "questions": [
                    {
                        "id": q.id,
                        "type": q.type,
                        "text": q.text,
                        "choices": {c.code: c.label for c in form.choices_for(q)},
                    }
                    for q in section.questions
                    if q.answerable
                ],
            }
            for section in form.sections
        ],
    }


def form_msgids(form: Form) -> set[str]:
    ids: set[str] = set()
    for section in form.sections:
        ids.add(section.title)
        for question in section.questions:
            if question.answerable:
                ids.add(question.text)
                ids.update(c.label for c in form.choices_for(question))
    return ids


def _translations(path: Path, language: str, wanted: set[str]) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id in wanted and m.string and not m.fuzzy
    }


def catalogs(form: Form, page_ids: set[str], locales: Path) -> dict[str, Any]:
    form_ids = form_msgids(form)
    languages: dict[str, Any] = {}
    for language, name in LANGUAGE_NAMES.items():
        if language == SOURCE_LANGUAGE:
            languages[language] = {"name": name, "messages": {}}
            continue
        folder = locales / language / "LC_MESSAGES"
        messages = _translations(folder / "messages.po", language, form_ids)
        messages |= _translations(folder / f"{PAGE_DOMAIN}.po", language, page_ids)
        languages[language] = {"name": name, "messages": dict(sorted(messages.items()))}
    return {"source": SOURCE_LANGUAGE, "languages": languages}


def page_msgids(source_dir: Path) -> set[str]:
    sources = [(p.name, p.read_text("utf-8")) for p in sorted(source_dir.glob("*.ts"))]
    return {msgid for _, msgid in desk_strings(sources)}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def generated_files(form: Form | None = None) -> dict[Path, str]:
    """Every generated file and its exact content."""
    form = form or load_form()
    page_ids = page_msgids(ROOT / "desk" / "src")
    return {
        COLUMNS_FILE: _dump(
            {
                "schema": COLUMNS_SCHEMA,
                "form": {"id": form.id, "version": form.version},
                "columns": columns_of(form),
            }
        ),
        GENERATED / "form.json": _dump(form_data(form)),
        GENERATED / "catalogs.json": _dump(catalogs(form, page_ids, default_locales_dir())),
    }


def main() -> int:
    for path, content in generated_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, "utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
