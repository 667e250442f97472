"""Waves written on two connections side by side: the same records as one after the other,
commits in file order, and a failure that keeps the waves before it and none after."""

import random
import threading
import time
from concurrent.futures import wait

import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from crm.imports.writing import upserts
from crm.imports.writing.lanes import Abandoned, Lanes
from crm.journal import cells_changed
from crm.models import ChangedCell, Lead, LeadStageChange
from kpis.models import KpiFact
from tests.crm.imports.test_files import ROWS
from tests.crm.imports.test_new_rows import import_rows as import_file

HEADER = ROWS[0]
TWELVE = [HEADER] + [
    [f"L{i}", f"Lead {i}", f"lead{i}@example.test", f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024", "x"]
    for i in range(1, 13)
]


@pytest.fixture
def sent(monkeypatch):
    """How many waves went to the lanes."""
    count = []
    real_send = Lanes.send

    def send(self, wave):
        count.append(1)
        return real_send(self, wave)

    monkeypatch.setattr(Lanes, "send", send)
    return count


def no_lane_left():
    return not [t for t in threading.enumerate() if t.name.startswith("import-lane")]


@pytest.mark.django_db(transaction=True)
def test_new_leads_written_side_by_side_are_those_written_one_by_one(org, tmp_path, sent):
    heard = []
    cells_changed.connect(
        lambda sender, organization_id, **kw: heard.append(organization_id),
        dispatch_uid="t",
        weak=False,
    )
    try:
        summary = import_file(org, tmp_path, TWELVE)
    finally:
        cells_changed.disconnect(dispatch_uid="t")

    assert len(sent) == 6
    assert (summary.created, summary.rejected) == (12, 0)
    assert sorted(Lead.objects.for_org(org).values_list("external_id", "name", "email")) == sorted(
        (row[0], row[1], row[2]) for row in TWELVE[1:]
    )
    assert LeadStageChange.objects.filter(lead__organization=org).count() == 12
    assert heard == [org.pk]  # once, as the import ended: its cells recomputed once
    assert sum(KpiFact.objects.for_org(org).values_list("leads", flat=True)) == 12
    assert not ChangedCell.objects.for_org(org).exists()
    assert no_lane_left()


@pytest.mark.django_db(transaction=True)
def test_a_key_repeated_in_a_later_chunk_updates_in_file_order_side_by_side(org, tmp_path, sent):
    rows = [*TWELVE, ["L3", "Lead 3 renamed", "lead3@example.test", "03/04/2024", "x"]]

    summary = import_file(org, tmp_path, rows)

    assert sent
    assert (summary.created, summary.updated) == (12, 1)
    assert Lead.objects.get(external_id="L3").name == "Lead 3 renamed"


@pytest.mark.django_db(transaction=True)
def test_the_same_file_again_side_by_side_changes_nothing(org, tmp_path, sent):
    import_file(org, tmp_path, TWELVE)

    summary = import_file(org, tmp_path, TWELVE, name="again.csv")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 12)
    assert Lead.objects.for_org(org).count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_failing_wave_keeps_the_waves_before_it_and_none_after(org, tmp_path, monkeypatch):
    real_insert = upserts.insert_new

    def fails_at_line_8(cursor, target):
        cursor.execute("SELECT min(line) FROM import_staging")
        if cursor.fetchone()[0] == 8:  # the fourth wave: lines 8 and 9
            raise RuntimeError("the disk is full")
        return real_insert(cursor, target)

    monkeypatch.setattr("crm.imports.writing.insert_new", fails_at_line_8)

    with pytest.raises(RuntimeError, match="the disk is full"):
        import_file(org, tmp_path, TWELVE)

    written = sorted(Lead.objects.for_org(org).values_list("external_id", flat=True))
    assert written == sorted(f"L{i}" for i in range(1, 7))
    assert no_lane_left()


# --- The lanes themselves ---


def wave(number, done, *, fails=False):
    def write(turn):
        time.sleep(random.uniform(0, 0.02))  # the work, of any length
        turn.ready()
        if fails:
            raise ValueError(f"wave {number} failed")
        done.append(number)  # its commit

    return write


@pytest.mark.django_db(transaction=True)
def test_waves_commit_in_the_order_they_are_sent():
    lanes, done = Lanes(), list[int]()
    try:
        for number in range(20):
            lanes.send(wave(number, done))
        lanes.raise_failure(wait_all=True)
    finally:
        lanes.close()

    assert done == list(range(20))


@pytest.mark.django_db(transaction=True)
def test_the_first_failure_is_raised_and_the_waves_after_it_are_abandoned():
    lanes, done, raised = Lanes(), list[int](), list[str]()
    for number in range(5):
        try:
            lanes.send(wave(number, done, fails=number == 2))
        except ValueError as error:  # send raises a failure it sees
            raised.append(str(error))
    with pytest.raises(ValueError, match="wave 2 failed"):
        lanes.raise_failure(wait_all=True)
    lanes.close()

    assert done == [0, 1]
    assert set(raised) <= {"wave 2 failed"}
    assert all(isinstance(job.exception(), Abandoned) for job in lanes.sent[3:])
    assert no_lane_left()


@pytest.mark.django_db(transaction=True)
def test_a_wave_waits_for_the_one_before_where_postgresql_sees_a_deadlock():
    # A writer outside the import holds what the first wave wants, and wants what the
    # second holds, while the second waits for the first: PostgreSQL breaks the cycle
    # (one of the three fails) instead of everyone waiting for ever.
    lanes, outside_holds, second_holds = Lanes(), threading.Event(), threading.Event()

    def first(turn):
        outside_holds.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7, 1)")

    def second(turn):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7, 2)")
            second_holds.set()
            turn.ready()

    outside = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7, 1)")
            outside_holds.set()
            lanes.send(first)
            lanes.send(second)
            second_holds.wait(10)
            cursor.execute("SELECT pg_advisory_xact_lock(7, 2)")
    except DatabaseError as error:
        outside = error
    finished, _waiting = wait(lanes.sent, timeout=30)
    lanes.close()

    assert len(finished) == 2
    failures = [outside, *(job.exception() for job in lanes.sent)]
    assert any(
        isinstance(error, OperationalError) and "deadlock" in str(error) for error in failures
    )
