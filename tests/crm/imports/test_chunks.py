"""An import chunk by chunk: a channel first named in a later chunk, rejections in the
importer's language, and an error midway that keeps what the chunks before it wrote."""

import pytest
from django.utils import translation

from crm.imports import preparing, runner
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


def test_an_error_midway_stops_the_import_with_the_chunks_before_it_written(
    tmp_path, org, monkeypatch
):
    path = write_csv(tmp_path / "fairs.csv", NEW_CHANNEL_EACH_ROW)
    real_prepare, calls = preparing.prepare, []

    def fails_on_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise ValueError("a broken row")
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(preparing, "prepare", fails_on_the_fourth)

    with pytest.raises(ValueError, match="a broken row"):
        import_one_row_a_chunk(org, path, tmp_path)

    written = sorted(Lead.objects.for_org(org).values_list("external_id", flat=True))
    assert written == ["L1", "L2", "L3"]  # each chunk commits; the fourth failed
