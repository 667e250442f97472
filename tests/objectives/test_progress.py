"""Progress against the stored facts: refreshed when the KPI facts change (after commit, in
process and by a real Celery worker), kept as a weekly history, and per rep."""

import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.services.deals import deal_create, deal_win
from crm.services.leads import lead_create
from objectives.models import Objective, Snapshot
from objectives.selectors import snapshots_of
from objectives.services import Draft, objective_create, objective_split, objectives_refresh
from orgs.models import Role
from tests.conftest import token_client
from tests.workers import real_worker, shared_redis_cache

NOW = timezone.now()
THIS_MONTH = NOW.date().replace(day=1)


def revenue_objective(org, target="1000000"):
    draft = Draft(title="Revenue this month", metric="won_revenue", target=Decimal(target),
                  first_month=THIS_MONTH, last_month=THIS_MONTH)  # fmt: skip
    return objective_create(organization=org, by=None, draft=draft, today=NOW.date())


def win(org, amount, owner=None):
    lead = lead_create(organization=org, by=None, name="Ann", stage="sql", owner=owner)
    deal = deal_create(organization=org, by=None, lead=lead, amount=Decimal(amount))
    deal_win(deal=deal, by=None, at=NOW)
    return deal


@pytest.mark.django_db
def test_a_won_deal_moves_the_progress_once_its_facts_are_recomputed(
    org, django_capture_on_commit_callbacks
):
    objective = revenue_objective(org)
    assert objective.progress["actual"] == "0"

    with django_capture_on_commit_callbacks(execute=True):
        win(org, "4200")

    objective.refresh_from_db()
    assert Decimal(objective.progress["actual"]) == Decimal("4200")
    assert objective.progress_as_of is not None
    (point,) = Snapshot.objects.filter(objective=objective)  # this week's, rewritten
    assert point.actual == Decimal("4200")
    assert point.week.weekday() == 0
    assert 0 <= (NOW.date() - point.week).days < 7


@pytest.mark.django_db
def test_the_history_keeps_a_point_per_week(org):
    objective = revenue_objective(org)
    for day in (date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 10)):
        objectives_refresh(organization_id=org.pk, today=day)

    weeks = [row["week"] for row in snapshots_of(objective)]
    assert weeks[:2] == [date(2026, 11, 2), date(2026, 11, 9)]


@pytest.mark.django_db
def test_a_reps_progress_counts_their_own_wins(org, member, django_capture_on_commit_callbacks):
    ann, bob = member(Role.SALES_REP), member(Role.SALES_REP)
    objective = revenue_objective(org, target="10000")
    objective_split(objective=objective, method="equal", today=NOW.date(), members=[ann, bob])

    with django_capture_on_commit_callbacks(execute=True):
        win(org, "3000", owner=ann.user)

    targets = {r.membership_id: r for r in Objective.objects.get().rep_targets.all()}
    assert Decimal(targets[ann.pk].progress["actual"]) == 3000
    assert Decimal(targets[bob.pk].progress["actual"]) == 0
    assert targets[ann.pk].target + targets[bob.pk].target == 10000


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_the_progress_after_a_win_through_the_api(member, settings):
    prefix = shared_redis_cache(settings)
    manager = member(Role.SALES_MANAGER)
    api = token_client(manager)
    objective = revenue_objective(manager.organization)
    lead = api.post("/api/v1/leads/", {"name": "Ann", "stage": "sql"}, format="json").json()

    with real_worker(cache_prefix=prefix) as worker:
        deal = api.post("/api/v1/deals/", {"lead": lead["id"], "amount": "4200.00", "status": "won",
                        "closed_at": datetime.now(UTC).isoformat()}, format="json")  # fmt: skip
        assert deal.status_code == 201, deal.json()
        sent = time.monotonic()
        seen = worker.wait_until(
            lambda: (
                api.get(f"/api/v1/objectives/{objective.pk}/").json()["progress"]["actual"]
                == "4200"
            ),
            seconds=30,
        )
        waited = time.monotonic() - sent

    assert seen, worker.output
    assert waited < settings.KPI_COALESCE_SECONDS + settings.OBJECTIVES_COALESCE_SECONDS + 10
