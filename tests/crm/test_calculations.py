from datetime import UTC, datetime, timedelta

from crm.calculations import deal_kind

JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_company_that_never_won_is_new_business():
    assert deal_kind(JUNE, []) == "new"


def test_a_win_within_twelve_months_makes_a_repeat():
    assert deal_kind(JUNE, [JUNE - timedelta(days=365)]) == "repeat"
    assert deal_kind(JUNE, [JUNE - timedelta(days=30), JUNE - timedelta(days=900)]) == "repeat"


def test_only_older_wins_make_a_reactivation():
    assert deal_kind(JUNE, [JUNE - timedelta(days=366)]) == "reactivation"


def test_wins_after_the_deal_do_not_count():
    assert deal_kind(JUNE, [JUNE + timedelta(days=1)]) == "new"


def test_a_deal_with_no_date_and_earlier_wins_is_a_repeat():
    assert deal_kind(None, [JUNE]) == "repeat"
