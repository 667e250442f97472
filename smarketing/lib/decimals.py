"""How a Decimal is written where people and programs read it back (the API, stored plan
results): exact, and only as long as its value needs."""

from __future__ import annotations

from decimal import Decimal


def plain_decimal(value: Decimal) -> str:
    """ "5000000", "12.5", "0.3389": no trailing zeros, never an exponent ("5E+6"), so a
    figure reads the same whatever column or calculation it came from."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
