from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from crm.models import Company, Deal, Lead, LeadStageChange
from crm.rules import customer_since, deal_date, deal_kind, derive_deal_kinds, win_makes_customers

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


# --- Each rule in Python and in SQL, on the same cases ---------------------------------------

WON, LOST, OPEN = "won", "lost", "open"


def day(n, hour=9):
    return datetime(2025, 1, 1, hour, tzinfo=UTC) + timedelta(days=n)


# A company's deals as (status, opened, closed, the kind it should have), in any order.
KIND_CASES = {
    "a first win is new business": [(WON, day(0), day(30), "new")],
    "a second win within twelve months is a repeat": [
        (WON, day(0), day(30), "new"),
        (WON, day(200), day(230), "repeat"),
    ],
    "365 days after the last win is still a repeat": [
        (WON, day(0), day(30), "new"),
        (WON, day(395), day(400), "repeat"),
    ],
    "a day past the window is a reactivation": [
        (WON, day(0), day(30), "new"),
        (WON, day(396), day(420), "reactivation"),
        (WON, day(500), day(510), "repeat"),  # the reactivation's own win counts next
    ],
    "lost deals are no wins, yet get a kind": [
        (LOST, day(0), day(30), "new"),
        (WON, day(100), day(130), "new"),
        (LOST, day(200), day(210), "repeat"),
    ],
    "an open deal after a win is a repeat": [
        (WON, day(0), day(30), "new"),
        (OPEN, day(60), None, "repeat"),
    ],
    "several wins the same day do not count each other": [
        (WON, day(0, 9), day(0, 10), "new"),
        (WON, day(0, 9), day(0, 10), "new"),
        (WON, day(0, 11), day(0, 12), "repeat"),
    ],
    "a win closing as the deal opens is not earlier": [
        (WON, day(0), day(10), "new"),
        (WON, day(10), day(20), "new"),
    ],
    "without an opening date a deal is judged at its close": [
        (WON, day(0), day(30), "new"),
        (WON, None, day(500), "reactivation"),
    ],
    "a deal with no date at all after a win is a repeat": [
        (WON, day(0), day(30), "new"),
        (OPEN, None, None, "repeat"),
    ],
    "a deal opened before the company's first win is new": [
        (OPEN, day(0), None, "new"),
        (WON, day(50), day(60), "new"),
    ],
}


def python_kinds(deals):
    kinds = []
    for i, (_status, opened, closed, _kind) in enumerate(deals):
        wins = [c for j, (s, _o, c, _k) in enumerate(deals) if j != i and s == WON and c]
        kinds.append(deal_kind(deal_date(opened, closed), wins))
    return kinds


def sql_kinds(organization, deals):
    company = Company.objects.create(organization=organization, name="Buyer")
    rows = Deal.objects.bulk_create(
        Deal(
            organization=organization,
            company=company,
            currency="EUR",
            status=status,
            created_at=opened,
            closed_at=closed,
            kind="",  # every row must be derived, none left at a default
        )
        for status, opened, closed, _kind in deals
    )
    with connection.cursor() as cursor:
        derive_deal_kinds(cursor, organization.pk, [company.pk])
    kinds = dict(Deal.objects.filter(company=company).values_list("pk", "kind"))
    return [kinds[row.pk] for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("deals", KIND_CASES.values(), ids=KIND_CASES.keys())
def test_a_deals_kind_is_the_same_in_python_and_in_sql(org, deals):
    expected = [kind for *_deal, kind in deals]

    assert python_kinds(deals) == expected
    assert sql_kinds(org, deals) == expected


# A lead (stage, entered) and its deals (status, closed): when it becomes a customer.
CUSTOMER_CASES = {
    "a won deal makes its lead a customer at its close": (
        ("opportunity", day(0)),
        [(WON, day(30))],
        day(30),
    ),
    "never before the lead entered the funnel": (("lead", day(10)), [(WON, day(5))], day(10)),
    "at the earliest of several wins": (
        ("sql", day(0)),
        [(WON, day(40)), (WON, day(20)), (LOST, day(10))],
        day(20),
    ),
    "several wins the same day move it once": (
        ("sql", day(0)),
        [(WON, day(20)), (WON, day(20))],
        day(20),
    ),
    "lost and open deals make nobody a customer": (
        ("opportunity", day(0)),
        [(LOST, day(30)), (OPEN, None)],
        None,
    ),
    "a customer stays where it is": (("customer", day(0)), [(WON, day(30))], None),
    "a lead at an exit stage becomes a customer too": (
        ("disqualified", day(0)),
        [(WON, day(30))],
        day(30),
    ),
}


def sql_customer_since(organization, lead_given, deals):
    stage, entered = lead_given
    lead = Lead.objects.create(
        organization=organization, name="Buyer", stage=stage, created_at=entered,
        stage_changed_at=entered,
    )  # fmt: skip
    Deal.objects.bulk_create(
        Deal(organization=organization, lead=lead, currency="EUR", status=s, closed_at=closed)
        for s, closed in deals
    )
    with connection.cursor() as cursor:
        win_makes_customers(cursor, organization.pk, f"SELECT {lead.pk}", "customer")
    lead.refresh_from_db()
    moves = list(
        LeadStageChange.objects.filter(lead=lead).values_list(
            "from_stage", "to_stage", "at", "source"
        )
    )
    if lead.stage == stage:
        assert moves == []
        return None
    assert (lead.stage, moves) == (
        "customer",
        [(stage, "customer", lead.stage_changed_at, "deal_won")],
    )
    return lead.stage_changed_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lead", "deals", "expected"), CUSTOMER_CASES.values(), ids=CUSTOMER_CASES.keys()
)
def test_a_won_deal_makes_its_lead_a_customer_the_same_in_python_and_in_sql(
    org, lead, deals, expected
):
    stage, entered = lead

    assert (
        customer_since(stage=stage, created_at=entered, deals=deals, customer_stage="customer")
        == expected
    )
    assert sql_customer_since(org, lead, deals) == expected


@pytest.mark.django_db
def test_without_a_customer_stage_no_lead_moves_in_python_or_in_sql(org):
    deals = [(WON, day(30))]
    lead = Lead.objects.create(
        organization=org, name="Buyer", stage="opportunity", created_at=day(0)
    )
    Deal.objects.create(organization=org, lead=lead, currency="EUR", status=WON, closed_at=day(30))

    with connection.cursor() as cursor:
        win_makes_customers(cursor, org.pk, f"SELECT {lead.pk}", None)

    assert (
        customer_since(stage="opportunity", created_at=day(0), deals=deals, customer_stage=None)
        is None
    )
    assert Lead.objects.get(pk=lead.pk).stage == "opportunity"
    assert not LeadStageChange.objects.filter(lead=lead).exists()
