"""Numbers as people type them into spreadsheets: 1,234.50 / 1.234,50 / 1 234,5 / € 99."""

from __future__ import annotations

import pandas as pd

NUMBER = r"^-?\d+(\.\d+)?$"


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
    decimal_comma = lone_comma & text.str.match(r"^-?\d+,\d{1,2}$")
    text = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
    text = text.where(~(lone_comma & ~decimal_comma), text.str.replace(",", "", regex=False))
    return text


def is_number(values: pd.Series) -> pd.Series:
    return values.str.match(NUMBER)
