"""Money and numbers formatted for the active language (1.234,50 € in Italian, $1,234.50 in English)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language, to_locale


def _locale() -> str:
    return to_locale(get_language() or "en")


def money(value: object, currency: str = "EUR") -> str:
    """`{{ deal.amount|money:organization.currency }}`; blank for a blank value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == amount.to_integral_value():
        # A whole amount without its ",00": €1,429,600, as people write it.
        pattern = Locale.parse(_locale()).currency_formats["standard"].pattern
        return format_currency(
            amount,
            currency,
            format=re.sub(r"\.0+", "", pattern),
            currency_digits=False,
            locale=_locale(),
        )
    return format_currency(amount, currency, locale=_locale())


def money_whole(value: object, currency: str = "EUR") -> str:
    """Money rounded to whole units (€1,404,236, not €1,404,236.11): a figure read at a
    glance, a goal due to date, a projection."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return money(amount, currency)


def number(value: object, digits: int = 0) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(amount, format=pattern, locale=_locale())


def percent(value: object, digits: int = 1) -> str:
    """A rate (0.339) as a percentage for the active language: 33.9%, 33,9 %; a rate that
    cannot be taken (nothing to divide by) as a dash."""
    if value is None or value == "":
        return "—"
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # The locale's own pattern (34%, 34 %, %34), with the digits asked for.
    pattern = Locale.parse(_locale()).percent_formats[None].pattern
    if digits:
        pattern = re.sub(r"0(?!.*0)", "0." + "0" * digits, pattern, count=1)
    return format_percent(rate, format=pattern, locale=_locale())


def named(code: object, names: dict[str, str]) -> str:
    """`{{ code|named:channel_names }}`: a code's name where one is known, else the code."""
    return names.get(str(code), str(code)) if code not in (None, "") else ""


def pair_named(pair: object, names: dict[str, str]) -> str:
    """`{{ "sql->opportunity"|pair_named:stage_names }}`: "Sales-qualified lead → Opportunity"."""
    return " → ".join(named(code, names) for code in str(pair).split("->"))


def month_label(value: object) -> str:
    """A month (a date, or "2025-11" as the KPI rows give it) as the language writes it:
    "Nov 2025", "Ноя 2025"."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            return str(value)
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return date_filter(value, "M Y")
