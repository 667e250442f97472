"""Learned plans follow their facts: kpis announces the months a recompute rewrote
(facts_changed), and funnel learns again the plans whose window holds one of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from crm.demo import seed_crm_history
from crm.journal import mark_everything
from crm.models import Deal
from funnel.models import Plan
from kpis.tasks import kpis_recompute_task
from orgs.models import Role
from tests.conftest import token_client
from tests.funnel.test_plans import BODY

pytestmark = pytest.mark.django_db


@pytest.fixture
def learned_plan(org, member):
    seed_crm_history(organization=org, today=date(2026, 12, 1))  # in SQL: marks nothing
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {**BODY, "mode": "learned", "inputs": {"revenue_goal": "1500000"}}
    return Plan.objects.get(pk=api.post("/api/v1/plans/", body, format="json").json()["id"])


def test_a_recompute_of_its_history_months_makes_a_learned_plan_learn_again(
    org, learned_plan, django_capture_on_commit_callbacks
):
    before = Decimal(learned_plan.result["inputs_used"]["average_deal_size"])
    Deal.objects.for_org(org).filter(status="won").update(amount=F("amount") * 2)
    mark_everything(org.pk)

    with django_capture_on_commit_callbacks(execute=True):
        kpis_recompute_task(org.pk)

    learned_plan.refresh_from_db()
    doubled = Decimal(learned_plan.result["inputs_used"]["average_deal_size"])
    assert abs(doubled - before * 2) <= Decimal("0.01")  # each average rounds to cents


def test_nothing_is_learned_again_before_the_recompute_commits(org, learned_plan):
    before = learned_plan.result
    Deal.objects.for_org(org).filter(status="won").update(amount=F("amount") * 2)
    mark_everything(org.pk)

    kpis_recompute_task(org.pk)  # inside the test's transaction, never committed

    learned_plan.refresh_from_db()
    assert learned_plan.result == before
