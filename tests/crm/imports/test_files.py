"""Files as they come out of real CRMs and spreadsheets, and everything that can be wrong with them."""

import csv
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook

from crm.models import Channel, Deal, Lead, LeadStageChange
from orgs.models import Role

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


DEALS = {
    "kind": "deals",
    "columns": {"external_id": "Id", "amount": "Amount", "status": "Status", "closed_at": "Closed"},
}


def test_an_amount_too_large_for_its_column_rejects_its_row_only(tmp_path, run_import):
    field = Deal._meta.get_field("amount")
    largest = "9" * (field.max_digits - field.decimal_places) + "." + "9" * field.decimal_places
    rows = [
        ["Id", "Amount", "Status", "Closed"],
        ["D1", "1" * 30, "won", "2026-01-05"],
        ["D2", largest, "won", "2026-01-05"],
        ["D3", "99999999999999.995", "open", ""],  # rounds to 15 digits
        ["D4", "1200", "open", ""],
    ]

    summary = run_import(write_csv(tmp_path / "deals.csv", rows), DEALS)

    assert (summary["created"], summary["rejected"]) == (2, 2)
    report = read_report(summary)
    assert [(r["line"], r["column"], r["reason"]) for r in report] == [
        ("2", "Amount", f"larger than {largest}"),
        ("4", "Amount", f"larger than {largest}"),
    ]
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["D2", "D4"]
    assert str(Deal.objects.get(external_id="D2").amount) == largest


def test_every_imported_decimal_is_money_of_the_columns_precision():
    from crm.imports.mapping import FIELDS
    from crm.imports.numbers import MONEY_DIGITS, MONEY_PLACES
    from crm.models import Campaign, Company

    models = {"deals": Deal, "companies": Company, "campaigns": Campaign}
    decimals = [
        (kind, name)
        for kind, fields in FIELDS.items()
        for name, spec in fields.items()
        if spec.type == "decimal"
    ]

    assert decimals
    for kind, name in decimals:
        column = models[kind]._meta.get_field(name)
        assert (column.max_digits, column.decimal_places) == (MONEY_DIGITS, MONEY_PLACES)


def read_report(summary):
    with open(summary["error_report"], newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def junk_xlsx(path, broken):
    """A real workbook whose `broken` part is replaced by junk."""
    good = write_xlsx(path.with_name("good.xlsx"), ROWS)
    with zipfile.ZipFile(good) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in {**parts, broken: b"<junk"}.items():
            target.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "broken",
    ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"],
)
def test_an_xlsx_of_junk_exits_1_with_a_clear_message(tmp_path, run_import, broken):
    path = junk_xlsx(tmp_path / "leads.xlsx", broken)

    with pytest.raises(CommandError, match="not a readable XLSX file"):
        run_import(path, MAPPING)

    assert not Lead.objects.exists()


def test_an_xlsx_whose_rows_are_junk_exits_1_naming_the_line(tmp_path, run_import):
    path = write_xlsx(tmp_path / "leads.xlsx", ROWS)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cut = sheet.index(b"</row>") + len(b"</row>")  # the header row survives, then junk
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:cut] + b"<row r='2'><c r='A2' t='inlineStr'><is><t>L1"
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)

    with pytest.raises(CommandError, match="cannot be read past line"):
        run_import(path, MAPPING)

    assert not Lead.objects.exists()


def test_a_header_longer_than_64_kib_is_read_whole(tmp_path, run_import):
    # Names whose truncation is another name: the old reader cut the header at 64 KiB.
    extra = [f"c{i}" for i in range(20_000)]
    rows = [ROWS[0] + extra, ROWS[1] + [""] * len(extra), ROWS[2] + ["x"] * len(extra)]
    path = write_csv(tmp_path / "wide.csv", rows)
    assert len(path.read_text().splitlines()[0]) > 2**16

    summary = run_import(path, MAPPING)

    assert summary["created"] == 2
    assert imported() == EXPECTED


def test_a_first_line_over_the_header_limit_is_refused_clearly(tmp_path, run_import):
    path = tmp_path / "one-line.csv"
    path.write_text("Id," + "x" * (2**20 + 10))

    with pytest.raises(CommandError, match="The first line is longer than 1 MB"):
        run_import(path, MAPPING)


def test_rows_with_more_or_fewer_fields_than_the_header_are_rejected(tmp_path, run_import):
    path = tmp_path / "leads.csv"
    path.write_text(
        "Id,Name,Email,Created,Source\n"
        "L1,Zoë,zoe@example.test,31/01/2024,social\n"
        "L2,Short,short@example.test,02/02/2024\n"
        "L3,Long,long@example.test,03/02/2024,social,surplus\n"
        "\n"
        'L4,"Quoted, with a comma",,04/02/2024,""\n',
        encoding="utf-8",
    )

    summary = run_import(path, MAPPING)

    assert (summary["created"], summary["rejected"]) == (2, 2)
    assert [(r["line"], r["column"], r["reason"]) for r in read_report(summary)] == [
        ("3", "(row)", "the row has 4 fields where the header has 5"),
        ("4", "(row)", "the row has 6 fields where the header has 5"),
    ]
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["L1", "L4"]


def test_xlsx_rows_with_values_past_the_header_are_rejected(tmp_path, run_import):
    path = write_xlsx(tmp_path / "leads.xlsx", [ROWS[0], ROWS[1] + ["surplus"], ROWS[2]])

    summary = run_import(path, MAPPING)

    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert [(r["line"], r["reason"]) for r in read_report(summary)] == [
        ("2", "the row has 6 fields where the header has 5")
    ]


def test_the_rejected_rows_report_neutralises_formulas(tmp_path, run_import):
    formula = '=HYPERLINK("http://evil.test","click")'
    rows = [
        ROWS[0],
        ["L1", "A", formula, "31/01/2024", "x"],
        ["L2", "B", "", "+1/2/3", "x"],
        ["L3", "C", "", "01/02/2024", "x"],
    ]

    summary = run_import(write_csv(tmp_path / "leads.csv", rows), MAPPING)

    assert [(r["line"], r["value"]) for r in read_report(summary)] == [
        ("2", "'" + formula),
        ("3", "'+1/2/3"),
    ]


def test_the_command_imports_with_a_members_rights(tmp_path, org, member, run_import):
    marketer = member(Role.MARKETING_MANAGER)
    seller = member(Role.SALES_MANAGER)
    rows = [ROWS[0], ROWS[1], [*ROWS[2][:4], "Carrier pigeon"]]
    leads = write_csv(tmp_path / "leads.csv", rows)
    deals = write_csv(
        tmp_path / "deals.csv",
        [["Id", "Amount", "Status", "Closed"], ["D1", "99999", "won", "2026-01-05"]],
    )

    with pytest.raises(CommandError, match="Importing deals needs the rights"):
        run_import(deals, DEALS, member=marketer.user.username)
    by_seller = run_import(leads, MAPPING, member=seller.user.email)

    assert not Deal.objects.exists()
    assert (by_seller["created"], by_seller["rejected"]) == (1, 1)
    assert "no channel of this organisation" in Path(by_seller["error_report"]).read_text()
    assert not Channel.objects.for_org(org).filter(code="carrier_pigeon").exists()
    assert run_import(leads, MAPPING, member=marketer.user.username)["created"] == 1
    assert Channel.objects.for_org(org).filter(code="carrier_pigeon").exists()


def test_the_command_refuses_someone_who_is_not_a_member(tmp_path, run_import, other_org):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(organization=other_org, role=Role.ADMIN)

    with pytest.raises(CommandError, match="No member"):
        run_import(write_csv(tmp_path / "leads.csv", ROWS), MAPPING, member=stranger.user.username)

    assert not Lead.objects.exists()
