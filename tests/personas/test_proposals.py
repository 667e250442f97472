"""personas.proposals: a segment of the sales history as a draft persona's criteria; no
database."""

from decimal import Decimal

import pytest

from personas.calculations import clean_params, criterion, fit
from personas.discovery import DIMENSIONS, REVENUE_BANDS, SIZE_BANDS
from personas.proposals import NAME_LENGTH, ProposalError, propose
from tests.personas.test_discovery import deal


@pytest.mark.parametrize(
    ("dimension", "kind", "profile_field"),
    [
        ("industry", "industry_in", "industries"),
        ("country", "country_in", "countries"),
        ("product", "product_in", "products"),
    ],
)
def test_a_list_dimension_becomes_a_list_of_its_one_value(dimension, kind, profile_field):
    proposal = propose([dimension], ["Software"])

    assert proposal.criteria == [{"kind": kind, "weight": 1, "params": {"values": ["Software"]}}]
    assert proposal.name == "Software"
    assert proposal.profile == {profile_field: "Software"}


def test_a_channel_is_kept_by_its_code_and_named_by_its_name():
    proposal = propose(["channel"], ["paid_search"], ["Paid search"])

    assert proposal.criteria[0]["params"] == {"values": ["paid_search"]}
    assert proposal.name == "Paid search"
    assert proposal.profile == {"channels": "Paid search"}


@pytest.mark.parametrize(
    ("band", "bounds"),
    [
        ("1-10", {"min": None, "max": "10"}),  # discovery counts 0 employees in 1-10
        ("11-50", {"min": "11", "max": "50"}),
        ("51-200", {"min": "51", "max": "200"}),
        ("5001+", {"min": "5001", "max": None}),
    ],
)
def test_a_size_band_becomes_its_range_of_employees(band, bounds):
    proposal = propose(["size_band"], [band])

    assert proposal.criteria == [{"kind": "employees_between", "weight": 1, "params": bounds}]
    assert proposal.profile == {"company_sizes": band}


@pytest.mark.parametrize(
    ("band", "bounds"),
    [
        ("<1M", {"min": None, "max": "999999.99"}),  # the upper limit is excluded
        ("1M-10M", {"min": "1000000", "max": "9999999.99"}),
        ("250M-1B", {"min": "250000000", "max": "999999999.99"}),
        ("1B+", {"min": "1000000000", "max": None}),
    ],
)
def test_a_revenue_band_becomes_its_range_of_annual_revenue(band, bounds):
    proposal = propose(["revenue_band"], [band])

    assert proposal.criteria == [{"kind": "annual_revenue_between", "weight": 1, "params": bounds}]


EMPLOYEES = [0, 1, 9, 10, 11, 50, 51, 199, 200, 201, 1000, 1001, 5000, 5001, 10**6]
REVENUES = [
    Decimal(v)
    for v in ("0", "999999.99", "1000000", "9999999.99", "10000000", "49999999.99",
              "50000000", "249999999.99", "250000000", "999999999.99", "1000000000", "1e12")
]  # fmt: skip


@pytest.mark.parametrize(
    ("dimension", "bands", "attribute", "values"),
    [
        ("size_band", SIZE_BANDS, "employees", EMPLOYEES),
        ("revenue_band", REVENUE_BANDS, "annual_revenue", REVENUES),
    ],
)
def test_a_bands_criterion_fits_exactly_the_deals_discovery_puts_in_it(
    dimension, bands, attribute, values
):
    for _limit, band in bands:
        proposed = propose([dimension], [band]).criteria[0]
        checked = [criterion(proposed["kind"], 1, proposed["params"])]
        for value in values:
            in_band = DIMENSIONS[dimension](deal(**{attribute: value}))[0] == band

            fits = fit(checked, {attribute: value}, 100).fits

            assert fits is in_band, (band, value)


def test_a_pair_gives_two_criteria_and_a_name_of_both():
    proposal = propose(["industry", "size_band"], ["Software", "51-200"])

    assert [c["kind"] for c in proposal.criteria] == ["industry_in", "employees_between"]
    assert proposal.name == "Software · 51-200"
    assert proposal.profile == {"industries": "Software", "company_sizes": "51-200"}


def test_every_proposed_criterion_is_one_the_services_accept():
    segments = [
        *(["size_band", band] for _limit, band in SIZE_BANDS),
        *(["revenue_band", band] for _limit, band in REVENUE_BANDS),
        *([name, "Some value"] for name in ("industry", "country", "channel", "product")),
    ]
    for dimension, value in segments:
        (proposed,) = propose([dimension], [value]).criteria

        assert clean_params(proposed["kind"], proposed["params"]) == proposed["params"]


@pytest.mark.parametrize(
    ("dimensions", "values", "message"),
    [
        (["industry"], [None], "Unknown segment cannot become a persona"),
        (["industry"], ["  "], "Unknown segment cannot become a persona"),
        (["industry", "size_band"], ["Software", None], "Unknown segment cannot become"),
        (["size_band"], ["12-34"], "12-34 is not a band discovery makes"),
        (["revenue_band"], ["1M-2M"], "not a band discovery makes"),
        (["hair_colour"], ["red"], "Choose the segment from the discovery page"),
        (["industry", "industry"], ["a", "b"], "Choose the segment from the discovery page"),
        (["industry"], ["a", "b"], "one value for each dimension"),
        ([], [], "one value for each dimension"),
        (["industry", "country", "product"], ["a", "b", "c"], "one value for each dimension"),
    ],
)
def test_what_cannot_be_proposed_is_refused_saying_why(dimensions, values, message):
    with pytest.raises(ProposalError, match=message):
        propose(dimensions, values)


def test_a_long_name_is_cut_to_what_a_persona_holds():
    proposal = propose(["industry", "country"], ["x" * 100, "y" * 100])

    assert len(proposal.name) == NAME_LENGTH
    assert proposal.name.endswith("…")
