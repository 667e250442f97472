"""When drift is measured again: after the KPI facts change (coalesced, after commit, in
process and by a real worker), when a plan is activated or archived, when the window
changes, and each night for every organisation with an active plan."""

import time
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from crm.journal import mark_everything
from funnel.services import plan_archive, plan_create
from kpis.tasks import kpis_recompute_task
from orgs.models import Role
from reviews.models import Event, PlanDrift
from reviews.services.drift import drift_key, drift_schedule
from reviews.tasks import drift_nightly_task
from smarketing.lib.events import Kind
from tests.conftest import token_client
from tests.reviews.conftest import DRIFT_DAY
from tests.reviews.drift_history import INPUTS, active_plan, build_history
from tests.workers import real_worker, shared_redis_cache

T = DRIFT_DAY


@pytest.fixture
def fixed_today(drift_day):
    """Plans are made as seen on T (tests/reviews/conftest.py)."""


@pytest.mark.django_db
def test_rewritten_facts_have_the_drift_measured_again_once_they_commit(
    org, fixed_today, django_capture_on_commit_callbacks
):
    build_history(org, T)
    active_plan(org, date(2027, 1, 1))
    mark_everything(org.pk)

    kpis_recompute_task(org.pk)  # in the test's transaction: nothing is committed
    assert not PlanDrift.objects.exists()
    mark_everything(org.pk)
    with django_capture_on_commit_callbacks(execute=True):
        kpis_recompute_task(org.pk)

    assert PlanDrift.objects.for_org(org).filter(direction__in=["below", "above"]).count() == 1
    assert Event.objects.for_org(org).filter(kind=Kind.PLAN_AT_RISK).count() == 1


@pytest.mark.django_db
def test_a_plan_activated_is_measured_and_an_archived_one_dropped(
    org, fixed_today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = active_plan(org, date(2027, 1, 1))
    assert PlanDrift.objects.for_org(org).filter(plan=plan).count() == 8  # none at risk

    with django_capture_on_commit_callbacks(execute=True):
        plan_archive(plan=plan)

    assert not PlanDrift.objects.exists()


@pytest.mark.django_db
def test_changes_within_the_coalescing_delay_share_one_recompute(org, monkeypatch):
    sent = []

    def send_now(task, *args, **kwargs):
        sent.append(args)
        return True

    monkeypatch.setattr("smarketing.lib.enqueue.send_now", send_now)

    assert drift_schedule(organization_id=org.pk)
    assert not drift_schedule(organization_id=org.pk)
    assert sent == [(org.pk,)]
    cache.delete(drift_key(org.pk))  # as the task does when it starts
    assert drift_schedule(organization_id=org.pk)


@pytest.mark.django_db
def test_each_night_every_organisation_with_an_active_plan_is_measured(org, other_org, fixed_today):
    active_plan(org, date(2027, 1, 1))
    plan_create(organization=other_org, by=None, name="Draft", first_month=date(2027, 1, 1),
                last_month=date(2027, 12, 1), inputs=INPUTS)  # fmt: skip

    assert drift_nightly_task() == 1

    assert set(PlanDrift.objects.values_list("organization_id", flat=True)) == {org.pk}


def test_the_beat_runs_the_nightly_measure():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reviews-drift-nightly"]

    assert entry["task"] == "reviews.tasks.drift_nightly_task"
    assert entry["schedule"].hour == {3}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_measures_the_drift_after_a_lead_comes_in_through_the_api(
    member, settings, monkeypatch
):
    prefix = shared_redis_cache(settings)
    monkeypatch.setenv("DRIFT_COALESCE_SECONDS", "1")  # the worker's, read as it starts
    manager = member(Role.MARKETING_MANAGER)
    org = manager.organization
    today = timezone.localdate()
    build_history(org, today)
    plan = active_plan(org, date(today.year + 1, 1, 1))
    api = token_client(manager)

    with real_worker(cache_prefix=prefix) as worker:
        lead = api.post("/api/v1/leads/", {"name": "Ann", "stage": "lead"}, format="json")
        assert lead.status_code == 201, lead.json()
        sent = time.monotonic()
        seen = worker.wait_until(
            lambda: any(r["at_risk"] for r in api.get(f"/api/v1/drift/?plan={plan.pk}").json()["results"]),
            seconds=60,
        )  # fmt: skip
        waited = time.monotonic() - sent

    assert seen, worker.output
    assert waited < settings.KPI_COALESCE_SECONDS + 1 + 20
    risky = PlanDrift.objects.for_org(org).get(direction="below")
    assert (risky.stage, risky.metric, risky.since) == ("lead->mql", "rate", today)
    assert Event.objects.for_org(org).filter(kind=Kind.PLAN_AT_RISK).count() == 1
