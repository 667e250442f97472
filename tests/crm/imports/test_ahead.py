"""Chunks are read and prepared a step ahead of the writer, in a thread that never touches
the database: what needs it (a new channel) is prepared again in the writer's thread, and
rejections read in the importer's language."""

import pytest
from django.utils import translation

from crm.imports import runner
from crm.imports.mapping import parse_mapping
from crm.models import Channel, Lead
from tests.crm.imports.test_files import MAPPING, ROWS, write_csv

pytestmark = pytest.mark.django_db

NEW_CHANNEL_EACH_ROW = [ROWS[0]] + [
    [f"L{i}", f"Lead {i}", f"lead{i}@example.test", f"{20 + i}/02/2024", f"Fair {i}"]
    for i in range(1, 6)
]


def import_one_row_a_chunk(org, path, tmp_path, **options):
    return runner.run_import(
        organization=org,
        path=path,
        mapping=parse_mapping(MAPPING),
        max_bytes=10**7,
        report_dir=tmp_path / "reports",
        chunk_rows=1,
        **options,
    )


def test_a_channel_first_named_in_a_later_chunk_is_created_by_the_writer(tmp_path, org):
    path = write_csv(tmp_path / "fairs.csv", NEW_CHANNEL_EACH_ROW)

    summary = import_one_row_a_chunk(org, path, tmp_path)

    assert (summary.created, summary.rejected) == (5, 0)
    assert summary.channels_created == [f"fair_{i}" for i in range(1, 6)]
    by_lead = dict(Lead.objects.for_org(org).values_list("external_id", "channel__code"))
    assert by_lead == {f"L{i}": f"fair_{i}" for i in range(1, 6)}


def test_without_the_right_to_create_channels_their_rows_are_refused_in_the_users_language(
    tmp_path, org
):
    path = write_csv(tmp_path / "fairs.csv", NEW_CHANNEL_EACH_ROW)

    with translation.override("es"):
        summary = import_one_row_a_chunk(org, path, tmp_path, may_create_channels=False)

    assert (summary.created, summary.rejected) == (0, 5)
    assert not Channel.objects.for_org(org).filter(code__startswith="fair").exists()
    with translation.override("es"):
        reason = translation.gettext("no channel of this organisation has this code")
    assert reason != "no channel of this organisation has this code"  # translated
    reports = list((tmp_path / "reports").glob("*.csv"))
    assert [p.read_text(encoding="utf-8").count(reason) for p in reports] == [5]


def test_an_error_while_reading_ahead_stops_the_import_with_nothing_of_that_chunk_written(
    tmp_path, org, monkeypatch
):
    path = write_csv(tmp_path / "fairs.csv", NEW_CHANNEL_EACH_ROW)
    real_prepare, calls = runner.prepare, []

    def fails_on_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise ValueError("a broken row")
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(runner, "prepare", fails_on_the_fourth)

    with pytest.raises(ValueError, match="a broken row"):
        import_one_row_a_chunk(org, path, tmp_path)

    # Chunks 1 and 2 were prepared twice (each named a new channel), so the fourth call was
    # the third chunk's, in the thread: the two before it are written, nothing after.
    assert sorted(Lead.objects.for_org(org).values_list("external_id", flat=True)) == ["L1", "L2"]
