"""What an import marks for the KPI recompute: the cells its rows leave and enter, and
nothing for rows it leaves as they were."""

from datetime import date, timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from crm.imports import preparing, runner
from crm.imports.mapping import parse_mapping
from crm.journal import (
    cells_changed,
    mark_leads,
    marks_held,
    organisations_holding_marks,
    organisations_marked_before,
)
from crm.models import ChangedCell, Channel, Lead
from crm.services.leads import lead_create
from kpis.models import KpiFact, KpiState
from tests.crm.imports.test_files import MAPPING, ROWS, write_csv

pytestmark = pytest.mark.django_db


def marks(org):
    return set(ChangedCell.objects.for_org(org).values_list("month", "channel_id"))


def test_a_file_imported_again_marks_nothing(tmp_path, run_import, org):
    path = write_csv(tmp_path / "leads.csv", ROWS)
    run_import(path, MAPPING)
    assert marks(org)  # the new leads' cells
    ChangedCell.objects.for_org(org).delete()

    summary = run_import(path, MAPPING)

    assert (summary["created"], summary["unchanged"]) == (0, 2)
    assert marks(org) == set()


def test_a_lead_moved_to_another_channel_marks_the_cells_it_leaves_and_enters(
    tmp_path, run_import, org
):
    run_import(write_csv(tmp_path / "a.csv", ROWS), MAPPING)
    ChangedCell.objects.for_org(org).delete()
    channels = {c.code: c.pk for c in Channel.objects.for_org(org)}
    moved = [ROWS[0], [*ROWS[1][:4], "Referral"], ROWS[2]]

    summary = run_import(write_csv(tmp_path / "b.csv", moved), MAPPING)

    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert Lead.objects.get(external_id="L1").channel_id == channels["referral"]
    january = date(2024, 1, 1)  # L1 was created on 31 January 2024
    assert marks(org) == {(january, channels["paid_search"]), (january, channels["referral"])}


# --- A long import holds its announcements: its cells are recomputed once, as it ends ---

MANY = [ROWS[0]] + [
    [
        f"L{i}",
        f"Lead {i}",
        f"lead{i}@example.test",
        f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024",
        "social",
    ]
    for i in range(1, 13)
]


@pytest.fixture
def heard():
    """The organisations cells_changed announced, in order."""
    announced: list[int] = []

    def listener(sender, organization_id, **kwargs):
        announced.append(organization_id)

    cells_changed.connect(listener, dispatch_uid="test-heard")
    yield announced
    cells_changed.disconnect(dispatch_uid="test-heard")


def import_in_waves(org, path, tmp_path, chunk_rows=1):
    """The import runner itself, one row a chunk: each row a wave of its own, committed."""
    return runner.run_import(
        organization=org,
        path=path,
        mapping=parse_mapping(MAPPING),
        max_bytes=10**7,
        report_dir=tmp_path / "reports",
        chunk_rows=chunk_rows,
    )


def test_an_import_of_many_waves_announces_its_marks_once_as_it_ends(
    tmp_path, org, heard, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "many.csv", MANY)

    with django_capture_on_commit_callbacks(execute=True):
        summary = import_in_waves(org, path, tmp_path)

    assert summary.created == 12
    assert heard == [org.pk]  # not once a wave
    # Without a broker the recompute ran in-process: once, over every cell the import marked.
    assert KpiState.objects.get(organization=org).version == 1
    assert sum(KpiFact.objects.for_org(org).values_list("leads", flat=True)) == 12
    assert marks(org) == set()


def test_an_import_that_fails_midway_still_announces_what_its_waves_wrote(
    tmp_path, org, heard, django_capture_on_commit_callbacks, monkeypatch
):
    path = write_csv(tmp_path / "many.csv", MANY)
    real_prepare, calls = preparing.prepare, []

    def fails_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the disk went away")
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(preparing, "prepare", fails_on_the_third_chunk)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        import_in_waves(org, path, tmp_path)

    assert Lead.objects.for_org(org).count() == 2  # the two waves before the failure
    assert heard == [org.pk]
    assert sum(KpiFact.objects.for_org(org).values_list("leads", flat=True)) == 2


def test_while_a_job_holds_its_marks_the_sweep_leaves_the_organisation_alone(org, other_org):
    later = timezone.now() + timedelta(minutes=1)
    with marks_held(org.pk):
        lead_create(organization=org, by=None, stage="lead", name="Held")
        lead_create(organization=other_org, by=None, stage="lead", name="Not held")

        assert org.pk in organisations_holding_marks()
        assert organisations_marked_before(later) == {other_org.pk}

    assert org.pk not in organisations_holding_marks()
    assert organisations_marked_before(later) == {org.pk, other_org.pk}


def test_two_jobs_of_one_organisation_hold_it_together(org):
    with marks_held(org.pk), marks_held(org.pk):
        assert org.pk in organisations_holding_marks()
    assert org.pk not in organisations_holding_marks()


def test_new_leads_mark_the_cells_their_whole_history_would(tmp_path, org, run_import):
    run_import(write_csv(tmp_path / "many.csv", MANY), MAPPING)
    from_what_was_written = marks(org)
    ChangedCell.objects.for_org(org).delete()

    mark_leads(org.pk, Lead.objects.for_org(org).values_list("pk", flat=True))

    assert len(from_what_was_written) == 12  # one cell a month, one channel
    assert marks(org) == from_what_was_written


def test_a_job_whose_database_failed_raises_its_own_error_not_the_announcements(
    org, monkeypatch, caplog
):
    def lost(organization_id):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr("crm.journal.has_marks", lost)

    with pytest.raises(RuntimeError, match="the import's own failure"), marks_held(org.pk):
        raise RuntimeError("the import's own failure")

    assert "the sweep schedules them" in caplog.text
    assert org.pk not in organisations_holding_marks()
