from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count, F, OuterRef, Subquery

from crm.demo import seed_crm_history
from crm.models import Activity, Campaign, Deal, Lead, LeadStageChange, PipelineStage
from orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_years_of_consistent_history(capsys):
    call_command("seed_demo")
    demo = Organization.objects.get(slug="demo")
    leads = Lead.objects.for_org(demo)

    assert leads.count() > 2000
    assert set(leads.values_list("channel__code", flat=True)) >= {
        "organic_search",
        "paid_search",
        "social",
        "email",
        "referral",
        "event",
    }
    months = leads.dates("created_at", "month")
    assert len(months) >= 24
    # every lead's latest recorded change leads to the stage it is in
    latest = (
        LeadStageChange.objects.filter(lead=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("to_stage")[:1]
    )
    assert not leads.annotate(last=Subquery(latest)).exclude(last=F("stage")).exists()
    kinds = dict(
        Deal.objects.for_org(demo).filter(status="won").values_list("kind").annotate(n=Count("id"))
    )
    assert set(kinds) == {"new", "repeat", "reactivation"}
    assert Deal.objects.for_org(demo).filter(status="lost").exclude(lost_reason="").exists()
    assert Campaign.objects.for_org(demo).filter(actual_cost__gt=0).count() >= 8
    assert Activity.objects.for_org(demo).count() > 500


def test_it_is_deterministic_and_runs_once(org, other_org):
    first = seed_crm_history(organization=org, today=date(2026, 11, 1))
    second = seed_crm_history(organization=other_org, today=date(2026, 11, 1))
    again = seed_crm_history(organization=org, today=date(2026, 11, 1))

    assert first == second > 0
    assert again == 0
    stages = lambda o: dict(Lead.objects.for_org(o).values_list("stage").annotate(n=Count("id")))  # noqa: E731
    assert stages(org) == stages(other_org)


def test_the_demos_open_deals_stand_at_a_pipeline_stage(org):
    seed_crm_history(organization=org, today=date(2026, 11, 1))
    deals = Deal.objects.for_org(org)
    stages = set(PipelineStage.objects.for_org(org).values_list("code", flat=True))

    open_stages = set(deals.filter(status="open").values_list("pipeline_stage", flat=True))

    assert deals.filter(status="open").exists()
    assert open_stages <= stages
    assert len(open_stages) >= 2
    assert not deals.exclude(status="open").exclude(pipeline_stage="").exists()


def test_the_planner_knows_the_history_at_once(org):
    """Otherwise the plans learned right after it took minutes on a fresh database."""
    from django.db import connection

    leads = seed_crm_history(organization=org, today=date(2026, 11, 1))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('crm_lead', 'crm_leadstagechange', 'crm_deal', 'crm_activity')"
        )
        estimates = dict(cursor.fetchall())
    assert len(estimates) == 4
    assert estimates["crm_lead"] >= leads * 0.9
    assert all(rows > 0 for rows in estimates.values())
