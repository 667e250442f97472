import pandas as pd
import pytest

from crm.imports.dates import DateFormatError, detect_format, parse


def column(*values):
    return pd.Series(values, dtype=str)


def test_iso_dates_and_offsets_read_as_iso():
    assert detect_format("d", column("2024-05-01", "2024-05-31T10:00:00+02:00")) == "ISO8601"
    assert (
        str(parse(column("2024-05-31T10:00:00+02:00"), "ISO8601")[0]) == "2024-05-31 08:00:00+00:00"
    )


def test_one_day_above_twelve_decides_the_whole_column():
    assert detect_format("d", column("01/02/2024", "03/04/2024", "25/12/2024")) == "%d/%m/%Y"
    assert detect_format("d", column("01/02/2024", "12/25/2024")) == "%m/%d/%Y"


def test_a_column_that_reads_both_ways_is_an_error_naming_it():
    with pytest.raises(DateFormatError, match="Column 'signup' is ambiguous"):
        detect_format("signup", column("01/02/2024", "03/04/2024"))


def test_times_are_kept():
    fmt = detect_format("won", column("26-02-2018 19:58", "08-05-2018 20:17"))

    assert fmt == "%d-%m-%Y %H:%M"
    assert str(parse(column("26-02-2018 19:58"), fmt)[0]) == "2018-02-26 19:58:00+00:00"


def test_a_column_without_a_single_date_is_an_error():
    with pytest.raises(DateFormatError, match="no value reads as a date"):
        detect_format("when", column("soon", "later"))


def test_a_few_bad_values_do_not_change_the_format():
    assert detect_format("d", column("31/01/2024", "tomorrow")) == "%d/%m/%Y"
