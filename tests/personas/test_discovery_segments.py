"""Discovery from the database's sums (crm.selectors.closed_deal_segments and
personas.discovery.discover_segments) gives exactly what discover() gives from the rows."""

import itertools
import random
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from crm.models import Channel, Company, Deal, Lead
from crm.selectors import SEGMENT_COLUMNS, SPACE, closed_deals_for_discovery
from personas.discovery import (
    DIMENSIONS,
    GROUPINGS,
    SegmentTally,
    discover,
    discover_segments,
)
from personas.selectors import discovery

DAY = datetime(2026, 1, 1, tzinfo=UTC)
PAIRS = [list(pair) for pair in itertools.permutations(DIMENSIONS, 2)]
PERIODS = [
    (None, None),
    (date(2026, 1, 20), None),
    (None, date(2026, 2, 10)),
    (date(2026, 1, 10), date(2026, 1, 31)),
    (date(2026, 1, 15), date(2026, 1, 15)),  # one day: deals closed late that evening too
    (date(2030, 1, 1), date(2030, 12, 31)),  # nothing closed then
]
# Values with what the rows' reading must agree on: blanks and padding of every kind of
# whitespace, names that differ by case only, band limits and their neighbours.
INDUSTRIES = ["Software", " Software", "Software\u00a0", "\tRetail\n", "Retail", "retail", "",
              "  ", "\u3000", "Mining"]  # fmt: skip
EMPLOYEES = [None, 0, 1, 10, 11, 50, 51, 200, 201, 1000, 1001, 5000, 5001, 250_000]
REVENUES = [None, "0", "999999.99", "1000000", "9999999.99", "10000000", "50000000",
            "249999999.99", "250000000", "1000000000", "85000000000"]  # fmt: skip
COUNTRIES = ["", " ", "Italy", "Italy ", "\u2003Spain", "France"]
PRODUCTS = ["", " ", "Pro", "Pro ", "Basic", "\x85Basic"]
AMOUNTS = [None, "0", "0.01", "100", "100.00", "100.50", "2500", "99999999999999.99"]


def generated(organization, seed):
    """A few hundred closed deals of `organization` with every kind of missing and edge
    value (its companies, leads and channels), plus open deals, which discovery leaves out."""
    rng = random.Random(seed)
    channels = [Channel.objects.get(organization=organization, code="organic_search")]
    channels += [
        Channel.objects.create(organization=organization, code=code, name=name)
        for code, name in [("webinar", "Webinar"), ("nameless", "")]
    ]
    companies = [
        Company.objects.create(
            organization=organization,
            name=f"Company {i}",
            industry=rng.choice(INDUSTRIES),
            employees=rng.choice(EMPLOYEES),
            annual_revenue=None if (r := rng.choice(REVENUES)) is None else Decimal(r),
            country=rng.choice(COUNTRIES),
        )
        for i in range(30)
    ]
    leads = [
        Lead.objects.create(
            organization=organization,
            name=f"Lead {i}",
            stage="customer",
            company=rng.choice([None, *companies]),
            channel=rng.choice([None, *channels]),
            country=rng.choice(COUNTRIES),
        )
        for i in range(50)
    ]
    # Cycles repeat, so that medians fall on ties; some are negative (created after closing).
    cycles = [None, *(timedelta(days=d, seconds=s) for d in (0, 3, 3, 10, 45) for s in (0, 1))]
    cycles += [timedelta(days=-2), timedelta(days=7, microseconds=123457)]
    deals = []
    for i in range(400):
        closed = DAY + timedelta(days=rng.randrange(60), minutes=rng.choice([0, 61, 1410, 1439]))
        cycle = rng.choice(cycles)
        deals.append(
            Deal(
                organization=organization,
                name=f"Deal {i}",
                lead=rng.choice([None, *leads, *leads]),
                company=rng.choice([None, None, *companies]),
                status=rng.choice(["won", "won", "lost", "open"]),
                amount=None if (a := rng.choice(AMOUNTS)) is None else Decimal(a),
                currency="EUR",
                created_at=None if cycle is None else closed - cycle,
                closed_at=closed,
                product=rng.choice(PRODUCTS),
            )
        )
    for deal in deals:
        if deal.status == "open":
            deal.closed_at = None
    # Two segments with the same figures throughout: their order is their names'.
    for industry in ("Zeta", "Alpha"):
        company = Company.objects.create(
            organization=organization, name=industry, industry=industry
        )
        deals.append(
            Deal(organization=organization, company=company, status="won", currency="EUR",
                 amount=Decimal(7), closed_at=DAY, created_at=DAY - timedelta(days=1))
        )  # fmt: skip
    Deal.objects.bulk_create(deals)


def the_same(organization, dimensions, start, end):
    rows = closed_deals_for_discovery(organization, start=start, end=end)
    expected = discover(rows, dimensions)
    found = discovery(organization, dimensions, start=start, end=end)
    assert found == expected
    assert repr(found) == repr(expected)  # each Decimal's digits too
    return found


@pytest.mark.django_db
def test_the_sums_give_what_the_rows_give_for_every_dimension_pair_and_period(org, other_org):
    generated(org, seed=15)
    generated(other_org, seed=16)
    seen: set[tuple[str, str]] = set()
    for dimensions, (start, end) in itertools.product([[d] for d in DIMENSIONS] + PAIRS, PERIODS):
        found = the_same(org, dimensions, start, end)
        seen.update(
            (dimensions[0], "unknown" if s["value"] is None else "known") for s in found["segments"]
        )
    # The data set reached what it was made for: an unknown segment in every dimension.
    assert {(d, "unknown") for d in DIMENSIONS} <= seen


@pytest.mark.django_db
def test_the_same_in_another_time_zone_and_language(org):
    generated(org, seed=17)

    with timezone.override("Pacific/Auckland"), translation.override("it"):
        for start, end in PERIODS[3:5]:
            found = the_same(org, ["channel"], start, end)
            assert "Ricerca organica" in [s["label"] for s in found["segments"]]


@pytest.mark.django_db
def test_no_deals_at_all(org):
    for dimensions in (["industry"], ["channel", "size_band"]):
        found = the_same(org, dimensions, None, None)
        assert found["segments"] == []


def test_space_is_what_str_strip_removes():
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())

    assert spaces == SPACE


def test_every_dimension_has_its_grouping_and_the_columns_match():
    assert set(GROUPINGS) == set(DIMENSIONS)
    assert SegmentTally._fields == SEGMENT_COLUMNS


def tally(keys, won=1, lost=0, revenue="10", priced=1, low=1, high=1, customers=1, repeat=0):
    """A segment's sums; `low` and `high` in days."""
    return SegmentTally(
        keys=keys,
        won=won,
        lost=lost,
        revenue=None if revenue is None else Decimal(revenue),
        priced=priced,
        cycle_low=None if low is None else timedelta(days=low),
        cycle_high=None if high is None else timedelta(days=high),
        customers=customers,
        repeat_customers=repeat,
    )


def test_bands_come_as_positions_and_channels_with_their_name():
    segments = [
        tally(None, won=4, revenue="40", low=2, high=3),
        tally((0, "seo", "SEO"), revenue="20"),
        tally((5, None, None)),
        tally((None, "x", ""), revenue="0"),
        tally((2, "seo", "SEO"), revenue=None, priced=0, low=None, high=None, customers=0),
    ]

    found = discover_segments(segments, ["size_band", "channel"])

    assert [(s["value"], s["label"]) for s in found["segments"]] == [
        (["1-10", "seo"], "1-10 / SEO"),
        (["5001+", None], "5001+ / Unknown"),
        (["51-200", "seo"], "51-200 / SEO"),  # no revenue, as the next: known values first
        ([None, "x"], "Unknown / x"),
    ]
    assert found["overall"]["median_cycle_days"] == Decimal("2.5")
    assert found["overall"]["won_revenue"] == Decimal(40)
    unpriced = found["segments"][2]
    assert unpriced["won_revenue"] == Decimal(0)
    assert unpriced["avg_deal_size"] is None
    assert unpriced["median_cycle_days"] is None
    assert unpriced["repeat_rate"] is None


def test_without_a_row_for_all_deals_nothing_closed():
    found = discover_segments([], ["industry"])

    assert found == discover([], ["industry"])
