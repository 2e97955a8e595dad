"""Spreadsheet cells that never run as formulas (CSV/formula injection, OWASP).

Names, departments and topics come from members or staff; Excel/WPS would run one starting with
``= + - @``, a tab or a carriage return as a formula when the file is opened.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_row(row: list) -> list:
    """The row for csv.writer: risky text gets a leading ' so Excel shows it as text."""
    return ["'" + v if _risky(v) else v for v in row]


def xlsx_row(ws, row: list) -> list:
    """The row for a write-only sheet: every str is a string cell, never a formula or an error code."""
    from openpyxl.cell import WriteOnlyCell  # imported when needed, like openpyxl itself

    out = []
    for v in row:
        if not isinstance(v, str):
            out.append(v)  # numbers and dates we wrote ourselves stay numbers and dates
            continue
        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error
        if _risky(v):
            cell.quotePrefix = True  # as Excel does for '=...: stays text even after the cell is edited
        out.append(cell)
    return out
