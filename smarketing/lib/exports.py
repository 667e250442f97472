"""Lists as CSV or XLSX files. A cell that a spreadsheet would run as a formula is neutralised;
a file's name, which users choose (a plan's), is made safe for a file system and a header."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNSAFE_IN_NAMES = re.compile(r"[^\w.-]+")  # \w keeps letters of every script: Zürich, 東京
XLSX_SHEET_TITLE = 31  # characters: Excel's limit


def neutralise(value: object) -> object:
    """'=HYPERLINK(...)' -> "'=HYPERLINK(...)": shown as text, never run. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def export_response(
    fmt: str, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    base = safe_file_name(name)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(
            _xlsx_file(base[:XLSX_SHEET_TITLE], header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(_csv_text(header, rows), content_type="text/csv; charset=utf-8")
    disposition = content_disposition_header(as_attachment=True, filename=f"{base}-{stamp}.{fmt}")
    response.headers["Content-Disposition"] = disposition or "attachment"  # None: no file name
    return response


def safe_file_name(name: str) -> str:
    """'Q1: EMEA/APAC "v2"' -> 'Q1-EMEA-APAC-v2': no path separator, quote, colon or line
    break, which file systems, spreadsheet titles or a header would misread."""
    return UNSAFE_IN_NAMES.sub("-", name).strip("-.") or "export"


def _xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx(neutralise(v)) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return "\ufeff" + text.getvalue()  # the BOM tells Excel the file is UTF-8


def _xlsx(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    return value
