"""personas.coverage: the approved personas' share of the won revenue and the promising
segments none covers, on hand-made rows; no database."""

from decimal import Decimal

from personas.calculations import Kind, criterion
from personas.coverage import ApprovedPersona, coverage, deal_attributes
from personas.discovery import discover
from tests.personas.test_discovery import deal


def persona(pk, *criteria, threshold=60, name="P"):
    """criteria: (kind, weight, params) each."""
    return ApprovedPersona(
        pk, f"{name}{pk}", 1, threshold, tuple(criterion(k, w, p) for k, w, p in criteria)
    )


def industry_is(*values):
    return (Kind.INDUSTRY_IN, 1, {"values": list(values)})


def run(rows, personas, dimensions=("industry",)):
    return coverage(rows, personas, discover(rows, dimensions)["segments"], dimensions)


def many(count, **attributes):
    return [deal(**attributes) for _ in range(count)]


def test_a_personas_share_is_its_fitting_won_revenue_over_all_won_revenue():
    rows = [
        deal(amount="300", industry="Software"),
        deal(amount="100", industry="Retail"),
        deal(status="lost", amount="999", industry="Software"),  # lost: no revenue
        deal(amount=None, industry="Software"),  # won, amount unknown
    ]

    (share,) = run(rows, [persona(1, industry_is("software"))]).personas

    assert share.won_deals == 2
    assert share.won_revenue == Decimal(300)
    assert share.share == Decimal("0.75")
    assert share.unchecked == ()


def test_any_persona_counts_a_deal_fitting_two_personas_once():
    rows = [
        deal(amount="100", industry="Software", company_country="DE"),
        deal(amount="100", industry="Retail", company_country="DE"),
        deal(amount="200", industry="Finance", company_country="FR"),
    ]
    personas = [
        persona(1, industry_is("Software")),
        persona(2, (Kind.COUNTRY_IN, 1, {"values": ["DE"]})),
    ]

    result = run(rows, personas)

    assert [s.share for s in result.personas] == [Decimal("0.25"), Decimal("0.5")]
    assert result.any_persona.won_deals == 2
    assert result.any_persona.share == Decimal("0.5")
    assert result.won_revenue == Decimal(400)


def test_the_threshold_decides_as_for_a_lead():
    rows = [deal(amount="100", industry="Software", employees=20)]
    two = [industry_is("Software"), (Kind.EMPLOYEES_BETWEEN, 1, {"min": 50, "max": None})]

    half = run(rows, [persona(1, *two, threshold=50)]).personas[0]
    more = run(rows, [persona(1, *two, threshold=51)]).personas[0]

    assert half.won_deals == 1
    assert more.won_deals == 0


def test_title_and_custom_field_criteria_count_as_missed_and_are_said_to_be():
    rows = [deal(amount="100", industry="Software")]
    checked = persona(
        1,
        industry_is("Software"),
        (Kind.TITLE_WORDS, 1, {"values": ["CTO"]}),
        (Kind.CUSTOM_FIELD, 1, {"field": "tier", "values": ["gold"]}),
    )

    (share,) = run(rows, [checked]).personas

    assert share.won_deals == 0  # 1 of 3 met: 33 < 60
    assert share.unchecked == (Kind.CUSTOM_FIELD, Kind.TITLE_WORDS)


def test_nothing_won_gives_no_share_and_no_persona_gives_no_total():
    lost = [deal(status="lost", industry="Software")]

    with_one = run(lost, [persona(1, industry_is("Software"))])
    without = run(lost, [])

    assert with_one.personas[0].share is None
    assert with_one.won_revenue == 0
    assert without.personas == []
    assert without.any_persona is None


def test_a_deal_reads_as_its_company_else_its_lead():
    row = deal(company_country=" ", lead_country="IT", product="Pro", channel="social", employees=5)

    attributes = deal_attributes(row)

    assert attributes["country"] == "IT"
    assert attributes["products"] == ["Pro"]
    assert attributes["channel"] == "social"
    assert attributes["employees"] == 5
    assert deal_attributes(deal(product=""))["products"] == []


def history():
    """Software wins 20 of 30 (lift 1.33), Retail 10 of 40, Finance 5 of 6 (small sample),
    and 30 deals of no industry winning 25."""
    return [
        *many(20, amount="100", industry="Software", company_country="DE"),
        *many(10, status="lost", industry="Software"),
        *many(10, amount="100", industry="Retail"),
        *many(30, status="lost", industry="Retail"),
        *many(5, amount="100", industry="Finance"),
        *many(1, status="lost", industry="Finance"),
        *many(25, amount="100"),
        *many(5, status="lost"),
    ]


def test_a_promising_segment_no_persona_covers_is_listed_and_only_such():
    uncovered = run(history(), []).uncovered

    # Retail: lift below 1; Finance: a small sample; no industry: describes no one.
    assert [s["value"] for s in uncovered] == ["Software"]
    assert uncovered[0]["covered_share"] == 0
    assert uncovered[0]["lift"] > 1


def test_a_segment_is_covered_when_most_of_its_won_revenue_fits_a_persona():
    rows = history()
    by_industry = persona(1, industry_is("Software"))
    by_country = persona(2, (Kind.COUNTRY_IN, 1, {"values": ["DE"]}))
    by_few = persona(3, (Kind.COUNTRY_IN, 1, {"values": ["DE"]}), industry_is("Software"))

    assert run(rows, [by_industry]).uncovered == []
    assert run(rows, [by_country]).uncovered == []
    assert run(rows, [by_few]).uncovered == []


def test_a_segment_half_covered_is_still_uncovered():
    rows = [
        *many(10, amount="100", industry="Software", company_country="DE"),
        *many(10, amount="100", industry="Software", company_country="FR"),
        *many(10, status="lost", industry="Software"),
        *many(10, amount="100", industry="Retail"),
        *many(30, status="lost", industry="Retail"),
    ]
    germany = persona(1, (Kind.COUNTRY_IN, 1, {"values": ["DE"]}))

    (software,) = run(rows, [germany]).uncovered

    assert software["covered_share"] == Decimal("0.5")


def test_pairs_are_covered_per_pair():
    rows = [
        *many(20, amount="100", industry="Software", employees=100),
        *many(10, status="lost", industry="Software", employees=100),
        *many(20, amount="100", industry="Software", employees=5000),
        *many(10, status="lost", industry="Software", employees=5000),
        *many(5, amount="100", industry="Retail", employees=5),
        *many(40, status="lost", industry="Retail", employees=5),
    ]
    big = persona(1, (Kind.EMPLOYEES_BETWEEN, 1, {"min": 1001, "max": None}))

    uncovered = run(rows, [big], ("industry", "size_band")).uncovered

    assert [s["value"] for s in uncovered] == [["Software", "51-200"]]
