"""The review pack's workbook: numbers stay numbers, in their unit's format; no database."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reviews.pack_sheets import Cell, Column, Kind, Sheet, money_format, sheet_title, workbook


@pytest.mark.parametrize(
    ("language", "currency", "fmt"),
    [
        ("en", "EUR", '"€"#,##0.00'),
        ("en", "USD", '"$"#,##0.00'),
        ("it", "EUR", '#,##0.00 "€"'),
        ("ru", "RUB", '#,##0.00 "₽"'),
        ("pl", "PLN", '#,##0.00 "zł"'),
    ],
)
def test_money_reads_with_the_currency_where_the_language_puts_it(language, currency, fmt):
    assert money_format(currency, language) == fmt


def test_a_sheet_title_is_one_excel_takes():
    assert sheet_title("Plan vs actual: Q1/Q2 [draft]?") == "Plan vs actual- Q1-Q2 -draft--"
    assert len(sheet_title("x" * 40)) == 31


def test_the_workbook_keeps_numbers_numbers_with_their_format():
    sheet = Sheet(
        "Channels",
        [Column("Channel"), Column("Leads", Kind.COUNT), Column("Cost per lead", Kind.MONEY),
         Column("ROI", Kind.PERCENT), Column("Due", Kind.DATE)],
        [
            ["Paid search", 4, Decimal("100.00"), Decimal("1.2500"), date(2026, 3, 31)],
            ["=HYPERLINK(\"http://x\")", 0, None, None, None],
            ["Won revenue", Cell(Decimal("900"), Kind.MONEY), None, None, None],
        ],
    )  # fmt: skip

    with translation.override("en"):
        book = load_workbook(io.BytesIO(workbook([sheet], currency="EUR")))

    out = book["Channels"]
    assert [c.value for c in out[1]] == ["Channel", "Leads", "Cost per lead", "ROI", "Due"]
    assert out["B2"].value == 4
    assert out["B2"].number_format == "#,##0"
    assert out["C2"].value == 100
    assert out["C2"].number_format == '"€"#,##0.00'
    assert out["D2"].value == 1.25
    assert out["D2"].number_format == "0.0%"
    assert out["E2"].value.date() == date(2026, 3, 31)
    assert out["E2"].number_format == "yyyy-mm-dd"
    assert out["A3"].value == '\'=HYPERLINK("http://x")'  # shown as text, never run
    assert out["B4"].value == 900
    assert out["B4"].number_format == '"€"#,##0.00'
    assert out.freeze_panes == "A2"
