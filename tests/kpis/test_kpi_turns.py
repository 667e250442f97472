"""Fairness: an organisation's recompute runs in slices and in its own turn, so it never
holds more than one worker slot and queues its rest behind the others' work."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import psycopg
import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from crm.models import ChangedCell
from crm.services.leads import lead_create
from kpis import tasks, turns
from kpis.models import KpiFact
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from kpis.scheduling import scheduled_key
from kpis.signals import facts_changed
from kpis.tasks import kpis_nightly_check_task, kpis_recompute_task, kpis_sweep_task
from kpis.turns import TURN, organisations_busy
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def leads_in_months(org, months: int) -> None:
    """One lead in each of `months` months of 2025, each marking its own cell."""
    for month in range(1, months + 1):
        lead_create(
            organization=org, by=None, stage="lead", name=f"L{month}",
            created_at=datetime(2025, month, 3, tzinfo=UTC),
        )  # fmt: skip


@contextmanager
def turn_held_elsewhere(organization_id: int, purpose: int = TURN) -> Iterator[None]:
    """Another worker's connection holds the organisation's turn (or another `purpose`'s
    advisory lock)."""
    params = connection.get_connection_params()
    wanted = {
        k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}
    }
    with psycopg.connect(**wanted, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [organization_id, purpose])
        try:
            yield
        finally:
            # Let go before closing: a closed connection's locks go when its server process
            # has exited, a moment later, and the next assertion would race that exit.
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [organization_id, purpose])


class Sent(list):
    def __call__(self, *args, **kwargs):
        self.append(kwargs)


@pytest.fixture
def broker(monkeypatch) -> Iterator[Sent]:
    """Stands in for a real broker: what is sent is recorded, not run in-process."""
    sent = Sent()
    monkeypatch.setattr(kpis_recompute_task, "apply_async", sent)
    conf = kpis_recompute_task.app.conf
    conf.task_always_eager = False
    try:
        yield sent
    finally:
        conf.task_always_eager = True


def test_a_slice_takes_the_oldest_cells_and_leaves_the_rest_marked(org):
    leads_in_months(org, 6)

    done = kpis_recompute_changed(organization_id=org.pk, max_cells=4)

    assert (done.cells, done.left) == (4, 2)
    assert [m.month for m in done.months] == [1, 2, 3, 4]  # marked first, in that order
    assert sorted(KpiFact.objects.for_org(org).values_list("month__month", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    assert sorted(ChangedCell.objects.for_org(org).values_list("month__month", flat=True)) == [5, 6]


@pytest.mark.parametrize("years", [(2023, 2024, 2025), (2025, 2023, 2024)])
def test_a_slice_out_of_time_still_does_one_span_of_months(org, years):
    for year in years:  # a year apart: three spans (kpis.recompute.SPAN)
        lead_create(
            organization=org, by=None, stage="lead", name=f"L{year}",
            created_at=datetime(year, 5, 3, tzinfo=UTC),
        )  # fmt: skip

    done = kpis_recompute_changed(organization_id=org.pk, max_seconds=0)

    assert (done.cells, done.left) == (1, 2)  # progress, however short the budget
    assert done.months == [date(years[0], 5, 1)]  # marked first, recomputed first


def test_the_months_of_a_span_are_recomputed_together_and_as_a_full_run_would(org, caplog):
    leads_in_months(org, 3)

    done = kpis_recompute_changed(organization_id=org.pk, max_seconds=0)

    assert (done.cells, done.left) == (3, 0)
    assert done.months == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


def test_the_rest_goes_to_the_back_of_the_queue(org, settings, broker):
    leads_in_months(org, 5)
    settings.KPI_SLICE_CELLS = 2
    cache.delete(scheduled_key(org.pk))

    kpis_recompute_task(org.pk)

    assert ChangedCell.objects.for_org(org).count() == 3
    assert broker == [{"args": (org.pk,), "kwargs": {}, "countdown": 0, "retry": False}]  # now


def test_the_last_slice_queues_nothing(org, settings, broker):
    leads_in_months(org, 2)
    settings.KPI_SLICE_CELLS = 2

    kpis_recompute_task(org.pk)

    assert not ChangedCell.objects.for_org(org).exists()
    assert broker == []


def test_a_task_finding_its_organisation_busy_recomputes_nothing(org, broker):
    leads_in_months(org, 2)

    with turn_held_elsewhere(org.pk):
        kpis_recompute_task(org.pk)

    assert ChangedCell.objects.for_org(org).count() == 2
    assert not KpiFact.objects.for_org(org).exists()
    assert cache.get(scheduled_key(org.pk)) is None  # the holder may schedule the rest


def test_the_sweep_leaves_a_busy_organisation_alone(org, broker):
    quiet = OrganizationFactory()
    for organization in (org, quiet):
        leads_in_months(organization, 1)
        cache.delete(scheduled_key(organization.pk))
    ChangedCell.objects.update(marked_at=datetime(2026, 1, 1, tzinfo=UTC))

    with turn_held_elsewhere(org.pk):
        assert org.pk in organisations_busy()
        kpis_sweep_task()

    assert [call["args"] for call in broker] == [(quiet.pk,)]
    assert org.pk not in organisations_busy()


def test_the_nightly_check_repairs_each_organisation_in_turn(org, caplog):
    other = OrganizationFactory()
    for organization in (org, other):
        leads_in_months(organization, 2)
        kpis_recompute_full(organization_id=organization.pk)
    KpiFact.objects.update(leads=7)  # both drifted

    with caplog.at_level(logging.ERROR, logger="kpis.turns"):
        kpis_nightly_check_task()  # in-process here: each check queues the next

    assert set(KpiFact.objects.values_list("leads", flat=True)) == {1}
    assert f"cells of organisation {org.pk} differed" in caplog.text
    assert f"cells of organisation {other.pk} differed" in caplog.text


def test_one_organisations_failed_check_does_not_stop_the_others(org, monkeypatch):
    other = OrganizationFactory()
    for organization in (org, other):
        leads_in_months(organization, 1)
        kpis_recompute_full(organization_id=organization.pk)
    KpiFact.objects.filter(organization_id=other.pk).update(leads=7)  # the second one drifted
    first, second = sorted([org.pk, other.pk])
    checked = []
    real = turns.kpis_recompute_whole

    def failing_first(*, organization_id, check):
        checked.append(organization_id)
        if organization_id == first:
            raise TimeoutError("the first organisation's check timed out")
        return real(organization_id=organization_id, check=check)

    monkeypatch.setattr(turns, "kpis_recompute_whole", failing_first)

    with pytest.raises(TimeoutError):
        tasks.kpis_check_task(first)  # in-process: the next check runs before this raises

    assert checked == [first, second]
    assert set(KpiFact.objects.filter(organization_id=second).values_list("leads", flat=True)) == {
        1
    }


@pytest.fixture
def announced():
    """What kpis tells the apps above it, as they would hear it."""
    heard: list[dict] = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    facts_changed.connect(listener, dispatch_uid="test-announced")
    yield heard
    facts_changed.disconnect(dispatch_uid="test-announced")


def test_a_slice_announces_the_months_it_rewrote_once_they_commit(
    org, announced, django_capture_on_commit_callbacks
):
    leads_in_months(org, 2)

    with django_capture_on_commit_callbacks(execute=True):
        kpis_recompute_task(org.pk)
        assert announced == []  # not before the commit

    assert announced == [
        {
            "signal": facts_changed,
            "organization_id": org.pk,
            "months": [date(2025, 1, 1), date(2025, 2, 1)],
        }
    ]


def test_a_slice_that_found_its_organisation_busy_announces_nothing(
    org, announced, broker, django_capture_on_commit_callbacks
):
    leads_in_months(org, 2)

    with turn_held_elsewhere(org.pk), django_capture_on_commit_callbacks(execute=True):
        kpis_recompute_task(org.pk)

    assert announced == []


def test_a_span_holds_every_month_it_rewrites_marked_or_not(org):
    for month in (1, 4):  # one span, January to April: February and March are rewritten too
        lead_create(
            organization=org, by=None, stage="lead", name=f"L{month}",
            created_at=datetime(2025, month, 3, tzinfo=UTC),
        )  # fmt: skip

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '200ms'")  # the test's transaction
    # another run rewriting March holds its month
    with turn_held_elsewhere(org.pk, purpose=202503), pytest.raises(OperationalError):
        kpis_recompute_changed(organization_id=org.pk)

    assert ChangedCell.objects.for_org(org).count() == 2  # nothing written meanwhile
