"""Files as they come out of real CRMs and spreadsheets, and everything that can be wrong with them."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook

from crm.models import Channel, Lead, LeadStageChange

pytestmark = pytest.mark.django_db

MAPPING = {
    "kind": "leads",
    "columns": {
        "external_id": "Id",
        "name": "Name",
        "email": "Email",
        "created_at": "Created",
        "channel": "Source",
    },
    "constants": {"stage": "lead"},
}
ROWS = [
    ["Id", "Name", "Email", "Created", "Source"],
    ["L1", "Zoë Łukasiewicz", "zoe@example.test", "31/01/2024", "Paid Search"],
    ["L2", "José Ñúñez", "JOSE@example.test", "02/02/2024", "social"],
]


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", newline="\n"):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return path


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.create_sheet("export", 0)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def imported():
    return sorted(Lead.objects.values_list("external_id", "name", "email", "channel__code"))


EXPECTED = [
    ("L1", "Zoë Łukasiewicz", "zoe@example.test", "paid_search"),
    ("L2", "José Ñúñez", "jose@example.test", "social"),
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("utf-8", ",", "\n"),
        ("utf-8-sig", ";", "\r\n"),
        ("utf-16", "\t", "\r\n"),
        ("utf-8", ";", "\n"),
    ],
)
def test_encodings_delimiters_and_line_ends(tmp_path, run_import, encoding, delimiter, newline):
    path = write_csv(
        tmp_path / "leads.csv", ROWS, encoding=encoding, delimiter=delimiter, newline=newline
    )

    summary = run_import(path, MAPPING)

    assert summary["created"] == 2
    assert imported() == EXPECTED


def test_latin1_files(tmp_path, run_import):
    rows = [r[:] for r in ROWS]
    rows[1][1] = "Zoë Dupré"  # Latin-1 has no Ł
    path = write_csv(tmp_path / "leads.csv", rows, encoding="latin-1")

    run_import(path, MAPPING)

    assert Lead.objects.get(external_id="L1").name == "Zoë Dupré"


def test_xlsx_files(tmp_path, run_import):
    path = write_xlsx(
        tmp_path / "leads.xlsx", [*ROWS, [None] * 5]
    )  # spreadsheets end in blank rows

    summary = run_import(path, MAPPING)

    assert summary["created"] == 2
    assert imported() == EXPECTED


def test_bad_rows_are_rejected_with_line_column_and_reason_and_the_rest_imported(
    tmp_path, run_import
):
    rows = [
        *ROWS,
        ["L3", "No mail", "not-an-address", "03/02/2024", "email"],
        ["L4", "Bad date", "", "32/13/2024", "email"],
        ["L5", "x" * 201, "", "04/02/2024", "email"],
        ["L6", "Fine", "", "05/02/2024", ""],
    ]
    summary = run_import(write_csv(tmp_path / "leads.csv", rows), MAPPING)

    assert (summary["created"], summary["rejected"]) == (3, 3)
    with open(summary["error_report"], newline="") as handle:
        report = list(csv.DictReader(handle))
    assert [(r["line"], r["column"], r["reason"]) for r in report] == [
        ("4", "Email", "not an e-mail address"),
        ("5", "Created", "not a date in the format %d/%m/%Y"),
        ("6", "Name", "longer than 200 characters"),
    ]
    assert report[0]["value"] == "not-an-address"
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["L1", "L2", "L6"]


def test_an_ambiguous_date_column_is_an_error_naming_it_and_writes_nothing(tmp_path, run_import):
    rows = [ROWS[0], ["L1", "A", "", "01/02/2024", "x"], ["L2", "B", "", "03/04/2024", "y"]]

    with pytest.raises(CommandError, match="Column 'Created' is ambiguous"):
        run_import(write_csv(tmp_path / "leads.csv", rows), MAPPING)

    assert not Lead.objects.exists()
    assert not Channel.objects.filter(code__in=["x", "y"]).exists()


def test_a_date_format_in_the_mapping_settles_an_ambiguous_column(tmp_path, run_import):
    rows = [ROWS[0], ["L1", "A", "", "01/02/2024", "x"]]

    run_import(
        write_csv(tmp_path / "leads.csv", rows),
        {**MAPPING, "date_formats": {"created_at": "%m/%d/%Y"}},
    )

    assert Lead.objects.get().created_at.isoformat() == "2024-01-02T00:00:00+00:00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary\x00", "not a CSV or XLSX file"),
        (b"PK\x03\x04broken zip", "not a readable XLSX file"),
        (b"", "The file is empty"),
        (b"Id,Name,Email,Created,Source\n", "a header but no rows"),
        (b"Id,Name,Email\nL1,A,a@example.test\n", "The file has no column 'Created', 'Source'"),
        (b"Id,Name,Id\n1,2,3\n", "Column names appear twice: Id"),
    ],
)
def test_a_file_that_cannot_be_used_is_rejected_whole(tmp_path, run_import, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run_import(path, MAPPING)

    assert not Lead.objects.exists()
    assert not LeadStageChange.objects.exists()


def test_a_file_over_the_size_limit_is_rejected_whole(tmp_path, run_import, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = write_csv(tmp_path / "leads.csv", ROWS * 10)

    with pytest.raises(CommandError, match="the limit is"):
        run_import(path, MAPPING)

    assert not Lead.objects.exists()


def test_a_bad_mapping_is_refused_before_reading(tmp_path, run_import):
    path = write_csv(tmp_path / "leads.csv", ROWS)

    with pytest.raises(CommandError, match="'columns' names 'shoe_size'"):
        run_import(path, {"kind": "leads", "columns": {"shoe_size": "Id"}})

    assert not Lead.objects.exists()


def test_a_key_repeated_in_the_file_updates_in_file_order(tmp_path, run_import):
    rows = [
        ROWS[0],
        ["L1", "First", "", "01/02/2024", "x"],
        ["L1", "Second", "", "13/02/2024", "x"],
    ]

    summary = run_import(write_csv(tmp_path / "leads.csv", rows), MAPPING)

    assert (summary["created"], summary["updated"]) == (1, 1)
    assert Lead.objects.get().name == "Second"


def test_an_email_another_lead_has_is_refused(tmp_path, run_import):
    run_import(write_csv(tmp_path / "a.csv", ROWS), MAPPING)
    rows = [ROWS[0], ["L9", "Impostor", "ZOE@example.test", "13/03/2024", "x"]]

    summary = run_import(write_csv(tmp_path / "b.csv", rows), MAPPING)

    assert summary["rejected"] == 1
    assert "another lead already has this e-mail" in Path(summary["error_report"]).read_text()
    assert not Lead.objects.filter(external_id="L9").exists()


def test_the_command_exits_0_with_rejected_rows_and_non_zero_for_an_unusable_file(tmp_path, org):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING))
    good = write_csv(tmp_path / "good.csv", [*ROWS, ["L3", "x", "bad", "03/02/2024", "x"]])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x00")

    def exit_status(path):
        try:
            call_command("import_records", str(path), "--org", org.slug, "--mapping", str(mapping))
        except CommandError:
            return 1  # manage.py turns a CommandError into exit status 1
        return 0

    assert exit_status(good) == 0
    assert exit_status(bad) == 1
    assert Lead.objects.count() == 2


def test_an_xlsx_file_with_another_extension_still_reads(tmp_path, run_import):
    path = write_xlsx(tmp_path / "export.csv", ROWS)  # what some upload forms do

    assert run_import(path, MAPPING)["created"] == 2


def test_a_large_import_leaves_the_planner_statistics_up_to_date(tmp_path, run_import):
    """Autovacuum analyses later; the import's own next waves are planned with these."""
    rows = [ROWS[0]] + [[f"B{i}", f"Lead {i}", "", "13/02/2024", "social"] for i in range(12_000)]

    summary = run_import(write_csv(tmp_path / "big.csv", rows), MAPPING)

    assert summary["created"] == 12_000
    with connection.cursor() as cursor:
        for table in ("crm_lead", "crm_leadstagechange"):  # the leads and their first stage
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            assert cursor.fetchone()[0] >= 12_000, table
