"""Money and numbers formatted for the active language (1.234,50 € in Italian, $1,234.50 in English)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en")


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    """`{{ deal.amount|money:organization.currency }}`; blank for a blank value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_currency(amount, currency, locale=_locale())


@register.filter
def number(value: object, digits: int = 0) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(amount, format=pattern, locale=_locale())
