"""CSV downloads in one shape: UTF-8 with a BOM (so Excel shows Polish letters),
semicolons (Polish Excel's separator), an attachment, and cells that cannot
run as spreadsheet formulas (OWASP "CSV injection")."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading apostrophe makes a spreadsheet show the text instead of running it.
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_response(
    filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return response


def ods_response(
    filename: str, sheet: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The same table as an OpenDocument spreadsheet (odfpy), for offices on LibreOffice."""
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name=sheet[:31])
    for values in [header, *rows]:
        row = TableRow()
        for value in values:
            # Every cell is a string cell: a spreadsheet never runs it as a formula.
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=safe_cell(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.oasis.opendocument.spreadsheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
