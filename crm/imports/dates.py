"""Which date format a column uses, decided from the whole column.

A column whose every value fits both a day-first and a month-first format (no day above
12 anywhere) stays ambiguous: that is an error naming the column, unless the mapping
gives its format.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from smarketing.lib.bounds import FIRST_DAY, LAST_DAY, MAX_PERIOD_MONTHS

ISO = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
]
_DAY_FIRST_DATES = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d.%m.%y"]
_MONTH_FIRST_DATES = ["%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"]
_TIMES = ["", " %H:%M", " %H:%M:%S"]
DAY_FIRST = [d + t for d in _DAY_FIRST_DATES for t in _TIMES]
MONTH_FIRST = [d + t for d in _MONTH_FIRST_DATES for t in _TIMES]
CANDIDATES = ISO + DAY_FIRST + MONTH_FIRST


class DateFormatError(ValueError):
    pass


def parse(values: pd.Series, fmt: str) -> pd.Series:
    """Parse strings with `fmt` into UTC timestamps; NaT where a value does not fit.

    'ISO8601' also takes offsets (2024-05-01T10:00:00+02:00), converted to UTC."""
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=True)


OUT_OF_BOUNDS = f"not a date from {FIRST_DAY} to {LAST_DAY}"
TOO_LONG = f"a period lasts at most {MAX_PERIOD_MONTHS} months ({MAX_PERIOD_MONTHS // 12} years)"
_FIRST = pd.Timestamp(FIRST_DAY, tz="UTC")
_AFTER_LAST = pd.Timestamp(LAST_DAY + timedelta(days=1), tz="UTC")


def out_of_bounds(parsed: pd.Series) -> pd.Series:
    """Parsed dates (UTC) outside smarketing.lib.bounds, as the API and pages refuse them."""
    return parsed.notna() & ((parsed < _FIRST) | (parsed >= _AFTER_LAST))


def too_long(first: pd.Series, last: pd.Series) -> pd.Series:
    """Periods of YYYY-MM-DD texts spanning more months than smarketing.lib.bounds allows."""
    both = first.notna() & last.notna()
    months = pd.Series(0, index=first.index)
    if both.any():
        start, end = first[both], last[both]
        months[both] = (
            (end.str[:4].astype(int) - start.str[:4].astype(int)) * 12
            + end.str[5:7].astype(int)
            - start.str[5:7].astype(int)
            + 1
        )
    return both & (months > MAX_PERIOD_MONTHS)


def detect_format(column: str, values: pd.Series) -> str:
    """The format that reads the most of `values` (non-empty strings), or DateFormatError
    (its example the first value in sorted order, whatever order `values` come in)."""
    distinct = pd.Series(values.unique())
    if distinct.empty:
        return ISO[0]
    if parse(distinct, "ISO8601").notna().all():
        return "ISO8601"
    fits = {fmt: int(parse(distinct, fmt).notna().sum()) for fmt in CANDIDATES}
    best = max(fits.values())
    if best == 0:
        raise DateFormatError(
            f"Column {column!r}: no value reads as a date (for example {distinct.min()!r}); "
            "give its format in date_formats, such as %d/%m/%Y."
        )
    winners = [fmt for fmt, count in fits.items() if count == best]
    if any(f in DAY_FIRST for f in winners) and any(f in MONTH_FIRST for f in winners):
        raise DateFormatError(
            f"Column {column!r} is ambiguous: every date in it reads both day-first and month-first "
            f"(for example {distinct.min()!r}). Give its format in date_formats: %d/%m/%Y or %m/%d/%Y."
        )
    return winners[0]
