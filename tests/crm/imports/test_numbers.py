import pandas as pd

from crm.imports.numbers import is_number, normalise_decimal


def test_numbers_as_people_write_them():
    raw = pd.Series(
        [
            "1,234.50",
            "1.234,50",
            "1 234,5",
            "€ 99",
            "1054",
            "12,5",
            "1,000",
            "-3.25",
            "USD 10",
            "abc",
        ]
    )

    cleaned = normalise_decimal(raw)

    assert list(cleaned) == [
        "1234.50",
        "1234.50",
        "1234.5",
        "99",
        "1054",
        "12.5",
        "1000",
        "-3.25",
        "10",
        "abc",
    ]
    assert list(is_number(cleaned)) == [True] * 9 + [False]
