# ruff: noqa: F811 - the fixtures imported from other test modules are used by name
"""The persona facts: the share of leads and MQLs that fit an approved persona per month,
channel and campaign, and leads, MQLs, deals and revenue per persona; kept fresh when fits
change, and equal to a full recompute."""

import logging
from decimal import Decimal

import pytest

from crm.models import Lead
from crm.services.leads import lead_update
from kpis.models import PersonaFact
from kpis.recompute import kpis_recompute_full
from kpis.selectors import kpi_rows, persona_rows
from tests.kpis.test_kpis import story  # noqa: F401 - the fixture
from tests.personas.conftest import approve, committing  # noqa: F401 - fixtures
from tests.personas.test_api import assert_error

pytestmark = pytest.mark.django_db
PAID = [{"kind": "channel_in", "weight": 1, "params": {"values": ["paid_search"]}}]


def facts(org):
    return sorted(
        PersonaFact.objects.filter(organization=org).values_list(
            "month", "channel_id", "campaign_id", "persona_id", "leads", "mqls", "won_deals",
            "lost_deals", "won_revenue",
        ),
        key=str,
    )  # fmt: skip


@pytest.fixture
def paid_persona(story, approve):
    """Ann and Ben (paid search) fit; Cy (organic) does not. Approving measures every lead,
    and the changed fits recompute the facts of their cells (in-process, as without a broker)."""
    return approve(criteria=PAID, threshold=100, name="Paid searchers")


def test_fit_shares_per_month_count_fitting_leads_and_mqls(story, paid_persona):
    rows = {row["month"]: row for row in kpi_rows(story, group_by="month", fit=True)}

    # January: Ann and Ben enter (both fit); Ann reaches MQL.
    assert rows["2026-01"]["fitting_leads"] == 2
    assert rows["2026-01"]["fit_share_leads"] == Decimal("1.0000")
    assert rows["2026-01"]["fit_share_mqls"] == Decimal("1.0000")
    # February: Cy enters (does not fit); Ben (skipping to customer) and Cy reach MQL.
    assert rows["2026-02"]["fit_share_leads"] == Decimal("0.0000")
    assert (rows["2026-02"]["fitting_mqls"], rows["2026-02"]["fit_share_mqls"]) == (
        1,
        Decimal("0.5000"),
    )
    # March: no lead entered, no MQL: no share rather than a made-up zero.
    assert rows["2026-03"]["fit_share_leads"] is None


def test_fit_shares_per_channel(story, paid_persona):
    rows = {row["channel"]: row for row in kpi_rows(story, group_by="channel", fit=True)}

    assert rows["paid_search"]["fit_share_leads"] == Decimal("1.0000")
    assert rows["organic_search"]["fit_share_leads"] == Decimal("0.0000")


def test_per_persona_rows_give_revenue_win_rate_and_shares(story, paid_persona):
    persona, none = persona_rows(story)

    assert persona == {
        "persona": paid_persona.pk,
        "persona_name": "Paid searchers",
        "leads": 2,
        "mqls": 2,
        "won_deals": 2,
        "lost_deals": 0,
        "won_revenue": Decimal("1500.00"),
        "win_rate": Decimal("1.0000"),
        "share_of_leads": Decimal("0.6667"),
        "share_of_mqls": Decimal("0.6667"),
        "share_of_won_revenue": Decimal("1.0000"),
    }
    assert none["persona"] is None
    assert (none["leads"], none["lost_deals"], none["win_rate"]) == (1, 1, Decimal("0.0000"))
    assert none["share_of_won_revenue"] == Decimal("0.0000")


def test_a_fit_that_changes_moves_its_lead_between_personas(story, paid_persona, committing):
    cy = Lead.objects.get(organization=story, name="Cy")
    paid = Lead.objects.get(organization=story, name="Ann").channel

    with committing():
        lead_update(lead=cy, by=None, channel=paid)

    (persona,) = persona_rows(story)  # no lead is left that fits none
    assert (persona["leads"], persona["mqls"], persona["lost_deals"]) == (3, 3, 1)


def test_the_incremental_facts_equal_a_full_recompute(story, paid_persona):
    kept = facts(story)
    assert kept

    kpis_recompute_full(organization_id=story.pk)

    assert facts(story) == kept


def test_without_an_approved_persona_no_lead_fits(story):
    kpis_recompute_full(organization_id=story.pk)

    rows = {row["month"]: row for row in kpi_rows(story, group_by="month", fit=True)}
    assert rows["2026-01"]["fit_share_leads"] == Decimal("0.0000")
    assert [r["persona"] for r in persona_rows(story)] == [None]


def test_the_api_groups_by_persona(story, paid_persona, api_as):
    body = api_as().get("/api/v1/kpis/?group_by=persona").json()

    first = body["results"][0]
    assert (first["persona_name"], first["won_revenue"], first["win_rate"]) == (
        "Paid searchers",
        "1500",
        "1",
    )


def test_the_api_refuses_an_unknown_group(story, api_as):
    response = api_as().get("/api/v1/kpis/?group_by=personas")

    assert "group_by" in assert_error(response, 400)["fields"]


def test_the_check_finds_and_repairs_a_drifted_persona_cell(story, paid_persona, caplog):
    kpis_recompute_full(organization_id=story.pk)
    kept = facts(story)
    PersonaFact.objects.filter(organization=story, persona=paid_persona).update(mqls=7)

    with caplog.at_level(logging.ERROR, logger="kpis.recompute"):
        differences = kpis_recompute_full(organization_id=story.pk, check=True)

    assert differences >= 2  # each drifted cell as stored and as recomputed
    assert "persona cells differ" in caplog.text
    assert facts(story) == kept
