"""Staff annotations read back from an export (`classification`, per reference)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from bot.desk.errors import DeskError


def read_annotations(path: Path) -> dict[str, str]:
    """reference → classification, from cases.xlsx (sheet `cases`) or cases.csv."""
    try:
        if path.suffix.lower() == ".xlsx":
            rows = _xlsx_rows(path)
        else:
            text = path.read_text(encoding="utf-8-sig")
            rows = [list(row) for row in csv.reader(io.StringIO(text))]
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as error:
        raise DeskError(f"cannot read the annotations in {path}: {error}") from None
    if not rows or "reference" not in rows[0] or "classification" not in rows[0]:
        raise DeskError(f"{path} has no reference and classification columns (a desk export?)")
    header = rows[0]
    reference, classification = header.index("reference"), header.index("classification")
    found = {}
    for row in rows[1:]:
        if len(row) > max(reference, classification) and row[reference]:
            found[row[reference].strip()] = row[classification].strip()
    return found


def _xlsx_rows(path: Path) -> list[list[str]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book["cases"] if "cases" in book.sheetnames else book.worksheets[0]
        return [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()
