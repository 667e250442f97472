"""The set-based statement (personas.fitting) against the pure fit (personas.calculations):
on generated leads, every stored fit is the one the pure function gives for the lead's
profile, best persona, score, fit and the criteria met."""

import random
from decimal import Decimal

import pytest

from crm.journal import mark_every_lead, mark_leads
from crm.models import Channel, Company, Deal, Lead
from crm.selectors import lead_profiles
from orgs.models import Role
from personas.calculations import fit
from personas.fits import fits_refresh
from personas.models import LeadFit
from personas.selectors import approved_measures
from personas.services import persona_approve, persona_create

# Each value in forms a person types: case, spaces, punctuation.
INDUSTRIES = ["Software", " software ", "SOFTWARE", "Retail", "retail  banking", "", None]
COUNTRIES = ["Italy", "italy", " ITALY", "Spain", "", None]
TITLES = [
    "Head of Marketing",
    "head-of-marketing",
    "Marketing head",
    "VP, Sales",
    "vice  president of sales",
    "C++ developer",
    "",
]
PRODUCTS = ["GTX Pro", "gtx  pro", "MG Basic", ""]
CUSTOM = [
    None,
    {},
    {"Tier": "Gold"},
    {"tier": ["silver", " GOLD "]},
    {"tier": "silver", "region": "north"},
    {"tier": True},
    {"segment": "gold"},
    {"TIER": ["bronze"]},
]
EMPLOYEES = [None, 0, 10, 49, 50, 51, 500, 501, 10_000]
REVENUES = [None, Decimal("999999.99"), Decimal("1000000"), Decimal("5000000.50")]

PERSONAS = [
    [
        {"kind": "industry_in", "weight": 3, "params": {"values": ["software", "Retail Banking"]}},
        {"kind": "employees_between", "weight": 2, "params": {"min": 50, "max": 500}},
        {"kind": "title_words", "weight": 1, "params": {"values": ["head of marketing", "c"]}},
    ],
    [
        {"kind": "country_in", "weight": 1, "params": {"values": ["Italy"]}},
        {"kind": "annual_revenue_between", "weight": 4, "params": {"min": "1000000"}},
        {"kind": "channel_in", "weight": 2, "params": {"values": ["paid_search", "Events"]}},
        {"kind": "product_in", "weight": 2, "params": {"values": ["GTX PRO"]}},
    ],
    [
        {"kind": "title_words", "weight": 5, "params": {"values": ["vice president", "VP"]}},
        {"kind": "employees_between", "weight": 1, "params": {"max": 50}},
        {"kind": "custom_field", "weight": 3, "params": {"field": "Tier", "values": ["gold"]}},
    ],
]


def approved(org, member, criteria, name, threshold):
    marketing = member(Role.MARKETING_MANAGER, organization=org)
    sales = member(Role.SALES_MANAGER, organization=org)
    persona = persona_create(
        organization=org, by=marketing.user, name=name, threshold=threshold, criteria=criteria
    )
    persona_approve(persona=persona, membership=marketing, side="marketing")
    persona_approve(persona=persona, membership=sales, side="sales")
    return persona


def generate(org, seed, n=150):
    rng = random.Random(seed)
    channels = [
        Channel.objects.update_or_create(organization=org, code=code, defaults={"name": name})[0]
        for code, name in [
            ("paid_search", "Paid Search"),
            ("events", " EVENTS "),
            ("seo", "Organic"),
        ]
    ] + [None]
    companies = [
        Company.objects.create(
            organization=org,
            name=f"Company {i}",
            industry=rng.choice(INDUSTRIES) or "",
            employees=rng.choice(EMPLOYEES),
            annual_revenue=rng.choice(REVENUES),
            country=rng.choice(COUNTRIES) or "",
            custom=rng.choice(CUSTOM),
        )
        for i in range(12)
    ] + [None]
    leads = Lead.objects.bulk_create(
        Lead(
            organization=org,
            name=f"Lead {i}",
            title=rng.choice(TITLES),
            country=rng.choice(COUNTRIES) or "",
            company=rng.choice(companies),
            channel=rng.choice(channels),
            custom=rng.choice(CUSTOM),
            stage="lead",
        )
        for i in range(n)
    )
    Deal.objects.bulk_create(
        Deal(organization=org, lead=lead, product=rng.choice(PRODUCTS), currency="EUR")
        for lead in rng.sample(leads, n // 3)
    )
    return leads


def expected_fits(org):
    """What the pure function says of every lead: (persona, version, score, fits, met)."""
    measures = approved_measures(org.pk)
    ids = list(Lead.objects.filter(organization=org).values_list("pk", flat=True))
    expected = {}
    for lead_id, profile in lead_profiles(org.pk, ids).items():
        candidates = []
        for i, m in enumerate(measures):
            result = fit(m.criteria, profile, m.threshold)
            met = sum(1 << j for j, reason in enumerate(result.reasons) if reason.met)
            candidates.append(((result.fits, result.score, -i), m, result, met))
        _, m, result, met = max(candidates, key=lambda c: c[0])
        expected[lead_id] = (m.persona_id, m.version_id, result.score, result.fits, met)
    return expected


def stored_fits(org):
    return {
        f.lead_id: (f.persona_id, f.version_id, f.score, f.fits, f.met)
        for f in LeadFit.objects.filter(organization=org)
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_stores_what_the_pure_fit_gives_for_every_lead(org, member, seed):
    generate(org, seed)
    for i, criteria in enumerate(PERSONAS):
        approved(org, member, criteria, f"Persona {i}", threshold=[60, 50, 70][i])
    mark_every_lead(org.pk)

    done = fits_refresh(organization_id=org.pk)

    expected = expected_fits(org)
    assert len(expected) == 150
    assert done.changed == 150
    assert stored_fits(org) == expected
    # Every persona wins somewhere and some leads fit: the data set exercises the choice.
    assert {p for p, *_ in expected.values()} == {m.persona_id for m in approved_measures(org.pk)}
    assert any(fits for *_, fits, _met in expected.values())


def test_a_second_refresh_of_unchanged_leads_rewrites_nothing(org, member):
    generate(org, 7, n=40)
    approved(org, member, PERSONAS[0], "Persona", threshold=60)
    mark_every_lead(org.pk)
    fits_refresh(organization_id=org.pk)
    mark_every_lead(org.pk)

    assert fits_refresh(organization_id=org.pk).changed == 0
    assert len(stored_fits(org)) == 40


def test_it_measures_marked_leads_only(org, member):
    company = Company.objects.create(organization=org, name="Acme", industry="Retail")
    marked, unmarked = Lead.objects.bulk_create(
        Lead(organization=org, name=name, company=company, stage="lead") for name in "AB"
    )
    approved(org, member, PERSONAS[0], "Persona", threshold=60)
    mark_every_lead(org.pk)
    fits_refresh(organization_id=org.pk)
    assert {f.score for f in LeadFit.objects.filter(organization=org)} == {0}
    # Changed behind the journal's back: only the marked one is measured again.
    Lead.objects.filter(pk__in=[marked.pk, unmarked.pk]).update(title="Head of Marketing")
    mark_leads(org.pk, [marked.pk])

    done = fits_refresh(organization_id=org.pk)

    assert done.changed == 1
    assert LeadFit.objects.get(lead=marked).score == 100 * 1 // 6
    assert LeadFit.objects.get(lead=unmarked).score == 0


def test_it_refuses_to_build_a_statement_without_personas():
    from personas.fitting import fit_statement

    with pytest.raises(ValueError, match="at least one"):
        fit_statement([], "SELECT 1", count=True)
