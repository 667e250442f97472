"""Numbers as people type them into spreadsheets: 1,234.50 / 1.234,50 / 1 234,5 / € 99."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# Every decimal an import writes is money, numeric(16, 2) (crm.models.money_field): a wider
# value failed the whole import in the database, losing its good rows too.
from crm.models import MONEY_DIGITS, MONEY_PLACES

# ASCII digits: Python's \d also takes full-width and Arabic-Indic ones, which numeric refuses.
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def normalise_decimal(values: pd.Series) -> pd.Series:
    """Text numbers to plain '1234.50' strings (still text, for an exact COPY into numeric).

    The last of ',' and '.' is the decimal mark when both appear; a lone ',' followed by
    one or two digits is a decimal mark, otherwise a thousands separator."""
    text = values.str.replace(r"[\s\u00a0\u202f'€$£¥]|[A-Z]{3}", "", regex=True)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    comma_last = text.str.rfind(",") > text.str.rfind(".")
    text = text.where(
        ~(both & comma_last),
        text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
    )
    text = text.where(~(both & ~comma_last), text.str.replace(",", "", regex=False))
    lone_comma = ~both & text.str.contains(",", regex=False)
    decimal_comma = lone_comma & text.str.match(r"^-?[0-9]+,[0-9]{1,2}$")
    text = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
    text = text.where(~(lone_comma & ~decimal_comma), text.str.replace(",", "", regex=False))
    return text


def is_number(values: pd.Series) -> pd.Series:
    return values.str.match(NUMBER)


def too_large(
    number: pd.Series, digits: int = MONEY_DIGITS, places: int = MONEY_PLACES
) -> pd.Series:
    """Plain numbers ('1234.50') that a numeric(digits, places) column cannot hold once
    rounded to `places`, as the database rounds them (half away from zero)."""
    whole = number.str.replace(r"^-?0*", "", regex=True).str.split(".", n=1).str[0]
    limit = digits - places
    over = is_number(number) & (whole.str.len() > limit)
    edge = is_number(number) & (whole.str.len() == limit)  # 99999999999999.995 rounds up
    if edge.any():
        step, largest = Decimal(1).scaleb(-places), Decimal(10) ** limit
        over[edge] = number[edge].map(
            lambda v: abs(Decimal(v).quantize(step, ROUND_HALF_UP)) >= largest
        )
    return over.astype(bool)


def largest(digits: int = MONEY_DIGITS, places: int = MONEY_PLACES) -> str:
    """'99999999999999.99' for numeric(16, 2)."""
    return "9" * (digits - places) + "." + "9" * places
