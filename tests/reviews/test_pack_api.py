"""GET /api/v1/reviews/{YYYY-MM}/: the pack's figures as data, for every member."""

from datetime import UTC, datetime

import pytest

from crm.services.leads import lead_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.conftest import token_client

pytestmark = pytest.mark.django_db


def test_the_pack_answers_each_sections_figures(march, member):
    answer = token_client(member(Role.LEADERSHIP)).get("/api/v1/reviews/2025-03/")

    assert answer.status_code == 200
    pack = answer.json()
    assert (pack["month"], pack["read_to"], pack["running"], pack["currency"]) == (
        "2025-03",
        "2025-03-31",
        False,
        "EUR",
    )
    assert pack["plan"]["plan"]["name"] == "The plan"
    mql = next(s for s in pack["plan"]["stages"] if s["stage"] == "mql")
    assert (mql["name"], mql["actual"]) == ("Marketing-qualified lead", 4)
    paid = next(c for c in pack["results"]["channels"] if c["key"] == "paid_search")
    assert paid == {
        "key": "paid_search", "name": "Paid search", "leads": 2, "mqls": 2, "new_customers": 1,
        "won_revenue": "900", "cost": "400", "cost_per_lead": "200", "roi": "1.25",
    }  # fmt: skip
    assert pack["sla"]["scorecard"]["marketing"]["delivered"] == 4
    assert pack["sla"]["breach_count"] == len(pack["sla"]["breaches"])
    revenue = next(o for o in pack["objectives"]["objectives"] if o["metric"] == "won_revenue")
    assert (revenue["title"], revenue["group"]) == (
        "Won revenue · The plan",
        "other",
    )  # no owners yet
    # The active plan, not measured yet; no pulse in March, the index of its month still.
    ((plan,), computed_at) = pack["drift"]["plans"], pack["drift"]["computed_at"]
    assert (plan["name"], plan["at_risk"], plan["rows"], computed_at) == ("The plan", False, [], None)  # fmt: skip
    assert (pack["pulse"]["period"], pack["pulse"]["pulse"]) == ("2025-03-01", None)
    assert pack["pulse"]["index"]["period"] == "2025-03-01"
    assert [p["part"] for p in pack["pulse"]["index"]["parts"]][:2] == ["pulse", "sla_marketing"]
    assert pack["decisions"] == {"last_review": [], "carried_over": [], "this_review": []}


@pytest.mark.parametrize("month", ["2025-12", "2099-01", "2026-13", "0000-01"])
def test_a_month_without_a_pack_is_not_found_in_the_one_error_shape(org, member, month):
    lead_create(organization=org, by=None, name="First", stage="lead",
                created_at=datetime(2026, 1, 15, tzinfo=UTC))  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)

    answer = token_client(member(Role.ADMIN)).get(f"/api/v1/reviews/{month}/")

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert "the packs run from 2026-01" in answer.json()["error"]["message"]


def test_the_pack_needs_a_member(org):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/reviews/2026-01/").status_code == 401
