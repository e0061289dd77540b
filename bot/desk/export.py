"""`desk export`: one row per case, in CSV (UTF-8 with BOM, for Excel) and XLSX.

Columns are stable, taken from the form: question ids as headers (their labels in the coalition's
language on the `columns` sheet and in columns.csv), choice codes beside their labels, a multiple
choice also split into 0/1 columns (empty when the question was skipped), dates with their
precision, references and codes kept as text. Staff fill the last three columns themselves; `desk
stats --annotations` reads `classification` back.

Complainants' text goes into cells that a spreadsheet could take for a formula (`=HYPERLINK(...)`
would reach the network when opened): such text is forced to plain text in XLSX and prefixed with
an apostrophe in CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.desk.folders import private_folder, write_private
from bot.desk.labels import Words, desk_word
from bot.desk.sealed import OpenedFile
from bot.intake.form import Form, Question

CLASSIFICATIONS = ("torture", "ill-treatment", "other", "not assessed")
STAFF_COLUMNS = {
    "classification": desk_word("Classification"),
    "outcome": desk_word("Outcome"),
    "notes": desk_word("Notes"),
}
_LABEL = desk_word("label")
_PRECISION = desk_word("precision")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    question: str = ""
    free_text: bool = False


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]


def build_table(cases: Sequence[OpenedFile], form: Form, words: Words) -> Table:
    w = words
    columns = [
        Column("reference", w("Reference")),
        Column("received_on", w("Received")),
        Column("coalition", w("Coalition")),
        Column("country_of_events", w("Country of events")),
        Column("cross_border", w("Cross-border")),
        Column("urgency", w("Urgency")),
        Column("urgency_score", w("Urgency score")),
        Column("language", w("Language of the complainant")),
        Column("form_version", w("Form version")),
        Column("receipt", w("Receipt")),
        Column("demo", w("Demo")),
    ]
    questions = [q for q in form.questions() if q.answerable]
    known = {q.id for q in questions}
    extra = sorted({a["question_id"] for c in cases for a in c.manifest.get("answers", [])} - known)
    for question in questions:
        columns.extend(_question_columns(question, form, w))
    columns.extend(Column(qid, qid, free_text=True) for qid in extra)
    columns += [
        Column("attachments", w("Attachments"), free_text=True),
        Column("attachments_sha256", w("Attachments' SHA-256")),
        *(Column(c, w(label)) for c, label in STAFF_COLUMNS.items()),
    ]
    rows = [_row(case, questions, extra, form, w) for case in cases]
    return Table(columns, rows)


def _question_columns(question: Question, form: Form, w: Words) -> list[Column]:
    label = w.short_label(question.id)
    text = question.text
    match question.type:
        case "single":
            return [
                Column(question.id, label, text),
                Column(f"{question.id}__label", f"{label} ({w(_LABEL)})", text),
            ]
        case "multi":
            return [
                Column(question.id, label, text),
                *(
                    Column(f"{question.id}.{c.code}", f"{label}: {w.form_text(c.label)}", text)
                    for c in form.choices_for(question)
                ),
            ]
        case "date":
            return [
                Column(question.id, label, text),
                Column(f"{question.id}__precision", f"{label} ({w(_PRECISION)})", text),
            ]
        case "integer":
            return [Column(question.id, label, text)]
        case _:
            return [Column(question.id, label, text, free_text=True)]


def _row(
    case: OpenedFile, questions: list[Question], extra: list[str], form: Form, w: Words
) -> list[Cell]:
    manifest = case.manifest
    answers: dict[str, dict[str, Any]] = {
        a["question_id"]: a for a in manifest.get("answers", []) if "question_id" in a
    }
    urgency = manifest.get("urgency") or {}
    routing = manifest.get("routing") or {}
    row: list[Cell] = [
        case.reference,
        str(manifest.get("received_on", "")),
        str((manifest.get("coalition") or {}).get("id", "")),
        _text(routing.get("country_of_events")),
        1 if routing.get("cross_border") else 0,
        _text(urgency.get("level")),
        urgency.get("score") if isinstance(urgency.get("score"), int) else None,
        _text(manifest.get("language")),
        _text((manifest.get("form") or {}).get("version")),
        case.receipt.status.value,
        1 if manifest.get("demo") else 0,
    ]
    for question in questions:
        row.extend(_cells(question, answers.get(question.id), form, w))
    for qid in extra:
        row.append(_text((answers.get(qid) or {}).get("value")))
    attachments = manifest.get("attachments", [])
    row.append("; ".join(str(a.get("path", "")) for a in attachments) or None)
    row.append("; ".join(str(a.get("sha256", "")) for a in attachments) or None)
    row.extend([None] * len(STAFF_COLUMNS))
    return row


def _cells(question: Question, answer: dict[str, Any] | None, form: Form, w: Words) -> list[Cell]:
    value = None if answer is None or answer.get("skipped") else answer.get("value")
    match question.type:
        case "single":
            code = _text(value)
            return [code, w.choice(question.id, code) if code else None]
        case "multi":
            choices = form.choices_for(question)
            if not isinstance(value, list):
                empty: list[Cell] = [None] * (len(choices) + 1)
                return empty
            return [" ".join(map(str, value)), *(1 if c.code in value else 0 for c in choices)]
        case "date":
            precision = {1: "year", 2: "month", 3: "day"}.get(len(str(value).split("-")))
            return [_text(value), precision if value else None]
        case "integer":
            return [value if isinstance(value, int) else _text(value)]
        case "files":
            return ["; ".join(map(str, value)) if isinstance(value, list) else None]
    if isinstance(value, dict) and "voice" in value:
        return [f"[voice {value.get('duration_seconds')} s: {value.get('voice')}]"]
    return [_text(value)]


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def write_export(table: Table, out_dir: Path) -> list[Path]:
    """cases.csv, cases.xlsx and columns.csv (each column's label), all 0600 in a 0700 folder."""
    private_folder(out_dir)
    return [
        write_private(
            out_dir / "cases.csv",
            _csv(
                [[c.id for c in table.columns], *table.rows], [c.free_text for c in table.columns]
            ),
        ),
        write_private(out_dir / "cases.xlsx", _xlsx(table)),
        write_private(
            out_dir / "columns.csv",
            _csv(
                [["column", "label", "question"], *_label_rows(table)],
                [False, True, True],
            ),
        ),
    ]


def _label_rows(table: Table) -> list[list[Cell]]:
    return [[c.id, c.label, c.question] for c in table.columns]


def _csv(rows: list[list[Cell]], free: list[bool]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            "" if cell is None else _defused(str(cell)) if flag and isinstance(cell, str) else cell
            for cell, flag in zip(row, free, strict=True)
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append([c.id for c in table.columns])
    for row in table.rows:
        sheet.append([None] * len(row))
        for index, cell in enumerate(row, start=1):
            target = sheet.cell(row=sheet.max_row, column=index)
            target.value = cell
            if isinstance(cell, str):
                target.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    classification = next(
        i for i, c in enumerate(table.columns, start=1) if c.id == "classification"
    )
    letter = get_column_letter(classification)
    rule = DataValidation(
        type="list", formula1='"' + ",".join(CLASSIFICATIONS) + '"', allow_blank=True
    )
    rule.add(f"{letter}2:{letter}{max(len(table.rows) + 1, 2) + 1000}")
    sheet.add_data_validation(rule)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.free_text else 14
    labels = book.create_sheet("columns")
    labels.append(["column", "label", "question"])
    for column in table.columns:
        labels.append([column.id, column.label, column.question])
        for cell in labels[labels.max_row]:
            cell.data_type = "s"
    labels.column_dimensions["A"].width = 28
    labels.column_dimensions["B"].width = 40
    labels.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
