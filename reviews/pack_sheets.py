"""The review pack as a workbook: a sheet per section (or two, for a section with two
tables), numbers kept numbers with the format their unit reads in: rates as percentages,
money in the organisation's currency, counts with thousands grouped, dates as dates.

Sheets are plain data (`Sheet`) that each section makes of its own figures; `workbook`
writes them. No database here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from babel import Locale
from babel.numbers import get_currency_symbol
from django.utils.translation import get_language, to_locale

from smarketing.lib.exports import XLSX_SHEET_TITLE, neutralise

NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\]")  # what Excel refuses in a sheet's name


class Kind(StrEnum):
    """How a column's (or a cell's) figures read."""

    TEXT = "text"
    COUNT = "count"
    DECIMAL = "decimal"
    PERCENT = "percent"  # a rate, 0.25 for 25 %
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Cell:
    """A value whose kind is not its column's (a row of money in a table of counts)."""

    value: object
    kind: Kind


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: int = 14


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Sequence[Sequence[object]] = field(default_factory=list)


def money_format(currency: str, language: str | None = None) -> str:
    """Excel's format for amounts in `currency`, the symbol where the language puts it:
    "€"#,##0.00 in English, #,##0.00 "€" in Italian (Excel then shows the reader's own
    separators)."""
    locale = to_locale(language or get_language() or "en")
    symbol = get_currency_symbol(currency, locale=locale).replace('"', "")
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    before = pattern.strip().startswith("¤")
    spaced = "¤ " in pattern or " ¤" in pattern or "\xa0¤" in pattern or "¤\xa0" in pattern
    gap = " " if spaced else ""
    return f'"{symbol}"{gap}#,##0.00' if before else f'#,##0.00{gap}"{symbol}"'


def formats(currency: str) -> dict[Kind, str]:
    return {
        Kind.TEXT: "General",
        Kind.COUNT: "#,##0",
        Kind.DECIMAL: "#,##0.00",
        Kind.PERCENT: "0.0%",
        Kind.MONEY: money_format(currency),
        Kind.DATE: "yyyy-mm-dd",
        Kind.DATETIME: "yyyy-mm-dd hh:mm",
    }


def sheet_title(title: str) -> str:
    """A sheet's name as Excel takes it: without []:*?/\\ and at most 31 characters."""
    return NOT_IN_TITLES.sub("-", title).strip("' ")[:XLSX_SHEET_TITLE] or "-"


def _value(value: object) -> object:
    if isinstance(value, Decimal):
        return value  # openpyxl writes it as a number
    if isinstance(value, date | datetime | int | float) or value is None:
        return neutralise(value)
    return neutralise(str(value))  # lazy translations and the like, as text


def workbook(sheets: Sequence[Sheet], *, currency: str) -> bytes:
    """The sheets as an .xlsx file: headers bold and frozen, each cell in its format."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    number_formats = formats(currency)
    for sheet in sheets:
        out = book.create_sheet(sheet_title(sheet.title))
        out.append([column.header for column in sheet.columns])
        for cell in out[1]:
            cell.font = Font(bold=True)
        out.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            out.column_dimensions[get_column_letter(index)].width = column.width
        for row_number, row in enumerate(sheet.rows, start=2):
            for index, (column, value) in enumerate(zip(sheet.columns, row, strict=False), 1):
                kind = value.kind if isinstance(value, Cell) else column.kind
                raw = value.value if isinstance(value, Cell) else value
                written = out.cell(row=row_number, column=index, value=_value(raw))
                if raw is not None and kind != Kind.TEXT:
                    written.number_format = number_formats[kind]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
