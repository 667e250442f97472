"""Fit scores and reasons over plain data: no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personas.calculations import Criterion, CriterionError, Kind, clean_params, criterion, fit

LEAD = {
    "industry": "  Software ",
    "employees": 120,
    "annual_revenue": Decimal("2500000"),
    "country": "italy",
    "title": "Head of Marketing, EMEA",
    "channel": "Paid_Search",
    "products": ["GTX Pro", "MG Special"],
    "custom": {"Segment": "Enterprise"},
}


def c(kind, weight=1, **params):
    return criterion(kind, weight, clean_params(kind, params))


def test_it_matches_lists_case_insensitively_and_trimmed():
    result = fit(
        [
            c("industry_in", values=["software", "Retail"]),
            c("country_in", values=[" ITALY "]),
            c("channel_in", values=["paid_search"]),
        ],
        LEAD,
        60,
    )

    assert [r.met for r in result.reasons] == [True, True, True]
    assert result.score == 100
    assert result.fits
    assert result.reasons[0].reason == "Industry «Software» is one of software, Retail."


@pytest.mark.parametrize(
    ("params", "employees", "met"),
    [
        ({"min": 10, "max": 120}, 120, True),  # both ends included
        ({"min": 120, "max": None}, 120, True),
        ({"min": None, "max": 119}, 120, False),
        ({"min": "121"}, 120, False),
        ({"max": 500}, None, False),  # unknown: missed
    ],
)
def test_ranges_include_their_ends_and_either_may_be_open(params, employees, met):
    result = fit([c("employees_between", **params)], {**LEAD, "employees": employees}, 50)

    assert result.reasons[0].met is met
    assert result.score == (100 if met else 0)


def test_annual_revenue_compares_exactly():
    criteria = [c("annual_revenue_between", min="2500000.00", max="2500000.01")]

    assert fit(criteria, LEAD, 100).fits
    assert not fit(criteria, {**LEAD, "annual_revenue": "2500000.02"}, 1).fits


@pytest.mark.parametrize(
    ("title", "met"),
    [
        ("Head of Marketing, EMEA", True),
        ("MARKETING director", True),
        ("Marketingleiter", False),  # a whole word, not a part of one
        ("Head of Sales", False),
        ("", False),
    ],
)
def test_title_words_match_whole_words(title, met):
    result = fit(
        [c("title_words", values=["marketing", "chief revenue officer"])], {"title": title}, 1
    )

    assert result.reasons[0].met is met


def test_a_phrase_matches_its_words_in_order():
    criteria = [c("title_words", values=["head of marketing"])]

    assert fit(criteria, {"title": "VP, head of   marketing"}, 1).fits
    assert not fit(criteria, {"title": "marketing head of"}, 1).fits


def test_products_and_custom_fields():
    criteria = [
        c("product_in", values=["gtx pro"]),
        c("custom_field", field="segment", values=["enterprise", "mid-market"]),
    ]

    result = fit(criteria, LEAD, 100)

    assert [r.met for r in result.reasons] == [True, True]
    assert "GTX Pro" in result.reasons[0].reason


def test_a_missing_attribute_misses_the_criterion_and_says_so():
    result = fit([c("industry_in", values=["Software"]), c("product_in", values=["x"])], {}, 0)

    assert [r.met for r in result.reasons] == [False, False]
    assert result.reasons[0].reason == "Industry is not known."
    assert result.score == 0
    assert result.fits  # a threshold of 0 lets everything fit


def test_the_score_is_the_weighted_share_rounded_down():
    criteria = [
        c("industry_in", 2, values=["Software"]),  # met
        c("country_in", 1, values=["Spain"]),  # missed
    ]

    result = fit(criteria, LEAD, 67)

    assert result.score == 66  # 66.67 rounded down
    assert not result.fits  # the true share, 66.67 %, is below 67
    assert fit(criteria, LEAD, 66).fits


def test_no_criteria_score_zero():
    assert fit([], LEAD, 60).score == 0


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("industry_in", {"values": []}, "params.values"),
        ("industry_in", {"values": "Software"}, "params.values"),
        ("industry_in", {"values": [" "]}, "params.values"),
        ("industry_in", {"values": ["x" * 101]}, "params.values"),
        ("industry_in", {"values": ["x"] * 51}, "params.values"),
        ("industry_in", {"values": [{"a": 1}]}, "params.values"),
        ("industry_in", {"values": ["x"], "min": 1}, "params"),
        ("employees_between", {}, "params"),
        ("employees_between", {"min": 5, "max": 4}, "params.max"),
        ("employees_between", {"min": 1.5}, "params.min"),
        ("employees_between", {"min": -1}, "params.min"),
        ("employees_between", {"max": "lots"}, "params.max"),
        ("employees_between", {"max": True}, "params.max"),
        ("annual_revenue_between", {"max": "1e16"}, "params.max"),
        ("annual_revenue_between", {"max": "NaN"}, "params.max"),
        ("annual_revenue_between", {"max": "10.001"}, "params.max"),
        ("custom_field", {"values": ["x"]}, "params.field"),
        ("custom_field", {"field": "a b", "values": ["x"]}, "params.field"),
        ("no_such_kind", {"values": ["x"]}, "kind"),
        ("industry_in", ["Software"], "params"),
    ],
)
def test_bad_parameters_are_refused_naming_the_part(kind, params, field):
    with pytest.raises(CriterionError) as refused:
        clean_params(kind, params)

    assert refused.value.field == field
    assert refused.value.message


def test_parameters_are_stored_in_one_shape():
    assert clean_params("annual_revenue_between", {"min": 1000.5, "max": None}) == {
        "min": "1000.5",
        "max": None,
    }
    assert clean_params("employees_between", {"min": "1E+3"}) == {"min": "1000", "max": None}
    assert clean_params("country_in", {"values": [" Italy ", "italy", 44]}) == {
        "values": ["Italy", "44"]
    }


# --- properties ---

VALUES = st.sampled_from(["a", "b", "c", "d"])
LIST_KINDS = [Kind.INDUSTRY_IN, Kind.COUNTRY_IN, Kind.CHANNEL_IN]
ATTR = {Kind.INDUSTRY_IN: "industry", Kind.COUNTRY_IN: "country", Kind.CHANNEL_IN: "channel"}


@st.composite
def criteria_lists(draw, min_size=0):
    return draw(
        st.lists(
            st.builds(
                lambda kind, weight, values: Criterion(kind=kind, weight=weight, values=values),
                st.sampled_from(LIST_KINDS),
                st.integers(1, 100),
                st.lists(VALUES, min_size=1, max_size=3, unique=True).map(tuple),
            ),
            min_size=min_size,
            max_size=8,
        )
    )


leads = st.fixed_dictionaries({attr: st.one_of(st.none(), VALUES) for attr in ATTR.values()})


@given(criteria_lists(), leads, st.integers(0, 100))
def test_the_score_lies_from_0_to_100_and_fits_means_reaching_the_threshold(
    criteria, lead, threshold
):
    result = fit(criteria, lead, threshold)

    assert 0 <= result.score <= 100
    assert result.fits is (result.score >= threshold)
    assert len(result.reasons) == len(criteria)


@given(criteria_lists(), leads, st.integers(1, 100))
def test_adding_a_met_criterion_never_lowers_the_score(criteria, lead, weight):
    extra = Criterion(kind=Kind.TITLE_WORDS, weight=weight, values=("boss",))
    lead = {**lead, "title": "The Boss"}

    assert fit([*criteria, extra], lead, 0).score >= fit(criteria, lead, 0).score


@given(criteria_lists(min_size=1))
def test_all_met_is_100_and_none_met_is_0(criteria):
    # A lead meeting all: one attribute per kind, so give each kind's criteria a common value.
    common = [Criterion(kind=c.kind, weight=c.weight, values=(*c.values, "zz")) for c in criteria]

    assert fit(common, dict.fromkeys(ATTR.values(), "zz"), 100).score == 100
    assert fit(criteria, dict.fromkeys(ATTR.values(), "nowhere"), 0).score == 0
    assert fit(criteria, {}, 0).score == 0


@given(criteria_lists(), leads, st.integers(2, 50))
def test_scaling_every_weight_changes_nothing(criteria, lead, factor):
    scaled = [Criterion(kind=c.kind, weight=c.weight * factor, values=c.values) for c in criteria]

    assert fit(scaled, lead, 0).score == fit(criteria, lead, 0).score
