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


def local_text(dt) -> str:
    """A stored time as Beijing wall-clock text for a cell; empty for none."""
    from .timeutil import SHANGHAI

    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def download(rows, headers: list[str], fmt: str, *, sheet: str, ascii_name: str, filename: str):
    """The rows as a CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX attachment named `filename`
    (`ascii_name` for clients that cannot read the UTF-8 name); no cell ever runs as a formula."""
    import csv
    import io
    from urllib.parse import quote

    from flask import Response

    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(headers)
        writer.writerows(csv_row(row) for row in rows)
        body, mime = buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook  # imported when needed: it costs every process 0.2 s and 8 MB

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(headers)
        for row in rows:
            ws.append(xlsx_row(ws, row))
        out = io.BytesIO()
        wb.save(out)
        body, mime = out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = Response(body, mimetype=mime)
    resp.headers["Content-Disposition"] = f"attachment; filename={ascii_name}.{fmt}; " \
                                          f"filename*=UTF-8''{quote(f'{filename}.{fmt}')}"
    return resp
