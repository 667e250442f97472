"""Waves of new rows are inserted without looking their keys up; a row that is a record
already (a key of the organisation's, or of an earlier line of the file) fails its wave's
insert, and the wave is written again looking keys up, with the outcome it always had."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.imports import runner
from crm.imports.kinds import KINDS
from crm.imports.mapping import parse_mapping
from crm.models import Lead, LeadStageChange
from tests.crm.imports.test_files import MAPPING, ROWS, write_csv

pytestmark = pytest.mark.django_db

HEADER = ROWS[0]
FIVE = [HEADER] + [
    [f"L{i}", f"Lead {i}", f"lead{i}@example.test", f"{20 + i}/02/2024", "fair"]
    for i in range(1, 6)
]
KEY_LOOK_UP = "SET id = t.id"  # the statement that matches staged rows to records by key


def import_rows(org, tmp_path, rows, *, chunk_rows=2, name="leads.csv"):
    return runner.run_import(
        organization=org,
        path=write_csv(tmp_path / name, rows),
        mapping=parse_mapping(MAPPING),
        max_bytes=10**7,
        report_dir=tmp_path / "reports",
        chunk_rows=chunk_rows,
    )


def reasons(summary):
    text = Path(summary.error_report).read_text(encoding="utf-8") if summary.error_report else ""
    return [line.split(",", 3) for line in text.splitlines()[1:]]


def test_a_first_import_inserts_every_row_without_looking_a_key_up(org, tmp_path):
    with CaptureQueriesContext(connection) as queries:
        summary = import_rows(org, tmp_path, FIVE)

    assert (summary.created, summary.updated, summary.rejected) == (5, 0, 0)
    assert not [q for q in queries.captured_queries if KEY_LOOK_UP in q["sql"]]
    assert Lead.objects.for_org(org).count() == 5
    assert LeadStageChange.objects.filter(lead__organization=org).count() == 5


def test_the_same_file_again_finds_every_row_and_changes_nothing(org, tmp_path):
    import_rows(org, tmp_path, FIVE)

    with CaptureQueriesContext(connection) as queries:
        summary = import_rows(org, tmp_path, FIVE, name="again.csv")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 5)
    assert [q for q in queries.captured_queries if KEY_LOOK_UP in q["sql"]]
    assert Lead.objects.for_org(org).count() == 5


def test_a_file_changed_since_updates_its_records(org, tmp_path):
    import_rows(org, tmp_path, FIVE)
    renamed = [HEADER] + [[row[0], row[1] + " Jr", *row[2:]] for row in FIVE[1:]]

    summary = import_rows(org, tmp_path, renamed, name="renamed.csv")

    assert (summary.created, summary.updated) == (0, 5)
    assert sorted(Lead.objects.for_org(org).values_list("name", flat=True)) == [
        f"Lead {i} Jr" for i in range(1, 6)
    ]


def test_known_rows_then_new_ones_update_the_first_and_create_the_rest(org, tmp_path):
    import_rows(org, tmp_path, FIVE[:3])  # L1 and L2

    summary = import_rows(org, tmp_path, FIVE, name="all.csv")

    assert (summary.created, summary.unchanged) == (3, 2)
    assert Lead.objects.for_org(org).count() == 5


def test_a_key_repeated_in_a_later_chunk_updates_in_file_order(org, tmp_path):
    rows = [HEADER, ["L1", "First", "", "01/02/2024", "x"], ["L2", "Other", "", "02/02/2024", "x"]]
    rows += [["L1", "Second", "", "13/02/2024", "x"]]

    summary = import_rows(org, tmp_path, rows, chunk_rows=2)

    assert (summary.created, summary.updated) == (2, 1)
    assert Lead.objects.get(external_id="L1").name == "Second"


def test_an_email_of_an_earlier_line_is_refused_in_its_wave_and_in_a_later_chunk(org, tmp_path):
    rows = [
        HEADER,
        ["L1", "Ann", "ann@example.test", "21/02/2024", "x"],
        ["L2", "Ann again", "ANN@example.test", "22/02/2024", "x"],  # the same wave
        ["L3", "Ann once more", "ann@example.test", "23/02/2024", "x"],  # the next chunk
    ]

    summary = import_rows(org, tmp_path, rows, chunk_rows=2)

    assert (summary.created, summary.rejected) == (1, 2)
    assert [(line, reason) for line, _column, _value, reason in reasons(summary)] == [
        ("3", "an earlier line of this file has this e-mail"),
        ("4", "another lead already has this e-mail"),
    ]
    assert list(Lead.objects.for_org(org).values_list("external_id", flat=True)) == ["L1"]


def test_an_email_another_lead_has_is_still_refused(org, tmp_path):
    import_rows(org, tmp_path, FIVE[:2])  # L1, lead1@example.test
    rows = [HEADER, ["L9", "Impostor", "LEAD1@example.test", "13/03/2024", "x"]]

    summary = import_rows(org, tmp_path, rows, name="impostor.csv")

    assert (summary.created, summary.rejected) == (0, 1)
    assert reasons(summary)[0][3] == "another lead already has this e-mail"


def test_the_kinds_whose_keys_the_database_keeps_unique_insert_first(org):
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'u'")
        unique = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT indexname FROM pg_indexes")
        unique |= {name for (name,) in cursor.fetchall()}

    inserting_first = {name: kind.unique_keys for name, kind in KINDS.items() if kind.unique_keys}

    assert inserting_first == {
        "leads": {"lead_external_id_unique", "lead_email_unique"},
        "deals": {"deal_external_id_unique"},
        "activities": {"activity_external_id_unique"},
    }
    assert set().union(*inserting_first.values()) <= unique
    # Companies and campaigns are also matched by name, which two of them may share.
    assert not KINDS["companies"].unique_keys
    assert not KINDS["campaigns"].unique_keys
