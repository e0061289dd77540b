"""Generate the desk's data files from the form and the catalogs (`make desk-data`).

- `bot/desk_web/columns.json`: the columns of the cases spreadsheet, in order: exactly those of
  `complaint-bot desk export` (taken from it), with where the page finds each value.
- `desk/src/generated/form.json`: sections, questions and choices, for the page's case view.
- `desk/src/generated/catalogs.json`: for each language, the translations of exactly the
  msgids the page uses: every form text (from `messages.po`), the questions' short labels of
  the Python desk (`desk.po`) and the page's own words (`browser.po`, from `desk/src/*.ts`).

Run `python -m bot.desk_web.data` after changing the form, a catalog or the page's words; a test
fails while a checked-in file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from bot.desk.export import build_table
from bot.desk.labels import SHORT_LABELS, Words
from bot.i18n.catalogs import LANGUAGE_NAMES, SOURCE_LANGUAGE, default_locales_dir
from bot.i18n.extract import desk_strings
from bot.intake.form import Form
from bot.intake.loader import load_form

ROOT = Path(__file__).resolve().parents[2]
COLUMNS_FILE = Path(__file__).with_name("columns.json")
GENERATED = ROOT / "desk" / "src" / "generated"
PAGE_DOMAIN = "browser"
COLUMNS_SCHEMA = "complaint-bot/columns/v1"


# The columns before the questions, as `desk export` writes them, and where each value is.
_CASE_COLUMNS: dict[str, dict[str, Any]] = {
    "reference": {"kind": "case", "path": "reference"},
    "received_on": {"kind": "case", "path": "received_on"},
    "coalition": {"kind": "case", "path": "coalition.id"},
    "country_of_events": {"kind": "case", "path": "routing.country_of_events"},
    "cross_border": {"kind": "flag", "path": "routing.cross_border"},
    "urgency": {"kind": "case", "path": "urgency.level"},
    "urgency_score": {"kind": "case", "path": "urgency.score"},
    "language": {"kind": "case", "path": "language"},
    "form_version": {"kind": "case", "path": "form.version"},
    "receipt": {"kind": "receipt"},
    "demo": {"kind": "flag", "path": "demo"},
    "attachments": {"kind": "attachments", "field": "path"},
    "attachments_sha256": {"kind": "attachments", "field": "sha256"},
    "classification": {"kind": "staff"},
    "outcome": {"kind": "staff"},
    "notes": {"kind": "staff"},
}


def columns_of(form: Form) -> list[dict[str, Any]]:
    """The columns of `desk export`'s cases.csv, in its order, each with what the browser desk
    needs to fill it: taken from the export itself, so the two sheets cannot drift apart."""
    table = build_table([], form, Words(SOURCE_LANGUAGE, form))
    answerable = {q.id: q for q in form.questions() if q.answerable}
    columns: list[dict[str, Any]] = []
    for column in table.columns:
        entry: dict[str, Any] = {"name": column.id, "free_text": column.free_text}
        question_id, _, code = column.id.partition(".")
        base, _, suffix = column.id.partition("__")
        if column.id in _CASE_COLUMNS:
            entry |= _CASE_COLUMNS[column.id]
        elif code and question_id in answerable:
            entry |= {"kind": "choice", "question_id": question_id, "code": code}
        elif suffix in ("label", "precision") and base in answerable:
            entry |= {"kind": suffix, "question_id": base}
        elif column.id in answerable:
            entry |= {"kind": "answer", "question_id": column.id}
            entry["type"] = answerable[column.id].type
        else:
            raise ValueError(f"desk export has a column the browser desk cannot fill: {column.id}")
        columns.append(entry)
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
                        "short": SHORT_LABELS.get(q.id, ""),
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
        messages |= _translations(folder / "desk.po", language, set(SHORT_LABELS.values()))
        messages |= _translations(folder / f"{PAGE_DOMAIN}.po", language, page_ids)
        languages[language] = {"name": name, "messages": dict(sorted(messages.items()))}
    return {"source": SOURCE_LANGUAGE, "languages": languages}


def page_msgids(source_dir: Path) -> set[str]:
    sources = [(p.name, p.read_text("utf-8")) for p in sorted(source_dir.glob("*.ts"))]
    return {msgid for _, msgid in desk_strings(sources)}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _dump_columns(data: dict[str, Any]) -> str:
    """One column a line: the file is read by people comparing it with the export too."""
    head = {k: v for k, v in data.items() if k != "columns"}
    lines = [json.dumps(c, ensure_ascii=False) for c in data["columns"]]
    body = json.dumps(head, ensure_ascii=False)[:-1]
    return body + ', "columns": [\n' + ",\n".join(lines) + "\n]}\n"


def generated_files(form: Form | None = None) -> dict[Path, str]:
    """Every generated file and its exact content."""
    form = form or load_form()
    page_ids = page_msgids(ROOT / "desk" / "src")
    return {
        COLUMNS_FILE: _dump_columns(
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
