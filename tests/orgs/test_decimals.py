"""Decimals as the API writes them: exact, without trailing zeros, never an exponent."""

from decimal import Decimal

import orjson
import pytest

from smarketing.lib.api_conventions import PlainDecimalField, json_bytes
from smarketing.lib.decimals import plain_decimal


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("5000000.0000000000"), "5000000"),  # not 5E+6
        (Decimal("1429600.00"), "1429600"),
        (Decimal("12.50"), "12.5"),
        (Decimal("0.3389"), "0.3389"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("-42.10"), "-42.1"),
        (Decimal("1E+3"), "1000"),
    ],
)
def test_it_writes_a_decimal_exactly_and_only_as_long_as_it_needs(value, written):
    assert plain_decimal(value) == written
    assert Decimal(written) == value


def test_it_writes_the_fast_endpoints_decimals_plainly():
    assert orjson.loads(json_bytes({"won_revenue": Decimal("1429600.00")})) == {
        "won_revenue": "1429600"
    }


def test_it_writes_a_serializer_decimal_without_its_ten_places():
    field = PlainDecimalField(max_digits=24, decimal_places=10)

    assert field.to_representation(Decimal("5000000")) == "5000000"
    assert field.to_internal_value("0.57") == Decimal("0.57")
