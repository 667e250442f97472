import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crm.models import Activity, Campaign, Company, Deal, ImportJob, Lead
from crm.services.deals import deal_create
from orgs.models import Role
from orgs.permissions import can_import
from tests.conftest import ALL_ROLES, token_client

pytestmark = pytest.mark.django_db
MAPPING = {
    "kind": "leads",
    "columns": {"external_id": "id", "email": "mail"},
    "constants": {"stage": "mql"},
}


def upload(content=b"id,mail\n1,a@x.test\n2,not-mail\n"):
    return SimpleUploadedFile("leads.csv", content, content_type="text/csv")


@pytest.fixture
def api(member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    return token_client(member(Role.SALES_MANAGER))


def test_an_import_over_the_api_runs_and_reports(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/v1/imports/",
            {"file": upload(), "mapping": json.dumps(MAPPING)},
            format="multipart",
        )

    assert started.status_code == 202
    job = api.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert (job["status"], job["created"], job["rejected"]) == ("done", 1, 1)
    report = api.get(f"/api/v1/imports/{job['id']}/rejected/")
    assert b"not an e-mail address" in b"".join(report.streaming_content)
    assert Lead.objects.get().email == "a@x.test"


def test_the_api_takes_the_owner_mapping_of_the_page_and_the_command(
    api, org, member, django_capture_on_commit_callbacks
):
    rep = member(Role.SALES_REP).user
    content = b"id,agent\nD1,R. Rep\nD2,Moses Frase\nD3,Temp Desk\nD4,Temp Desk\n"
    mapping = {
        "kind": "deals",
        "columns": {"external_id": "id", "owner": "agent"},
        "values": {"owner": {"R. Rep": rep.username}},
        "new_sales_reps": ["Moses Frase"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/v1/imports/",
            {"file": upload(content), "mapping": json.dumps(mapping)},
            format="multipart",
        )

    job = api.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert (job["status"], job["created"], job["rejected"]) == ("done", 4, 0)
    assert (job["unassigned"], job["unassigned_owners"]) == (2, {"Temp Desk": 2})
    assert job["sales_reps_created"] == ["Moses Frase"]
    assert job["mapping"]["new_sales_reps"] == ["Moses Frase"]
    owners = dict(Deal.objects.values_list("external_id", "owner__first_name"))
    assert owners == {"D1": rep.first_name, "D2": "Moses", "D3": None, "D4": None}


def test_a_bad_list_of_new_sales_reps_is_a_400_naming_the_mapping(api):
    mapping = {"kind": "deals", "columns": {"owner": "agent"}, "new_sales_reps": "Moses"}

    response = api.post(
        "/api/v1/imports/",
        {"file": upload(b"agent\nMoses\n"), "mapping": json.dumps(mapping)},
        format="multipart",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert {"status", "code", "message", "fields"} <= set(error)
    assert "'new_sales_reps' must be a list of names" in str(error["fields"]["mapping"])
    assert not ImportJob.objects.exists()
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"mapping": json.dumps(MAPPING)}, "file", "No file was submitted."),
        (
            {"file": "x", "mapping": json.dumps({"kind": "people"})},
            "file",
            "The submitted data was not a file.",
        ),
        ({"mapping": json.dumps({"kind": "people"})}, "mapping", "'kind' must be one of"),
        (
            {
                "mapping": json.dumps(
                    {
                        "kind": "leads",
                        "columns": {"external_id": "id", "created_at": "mail"},
                        "date_formats": {"created_at": "%s"},
                    }
                )
            },
            "mapping",
            "'date_formats.created_at' is not a date format",
        ),
        (
            {"mapping": json.dumps({**MAPPING, "constants": {"stage": "mql\u0000"}})},
            "mapping",
            "NUL character",
        ),
        (
            {"mapping": json.dumps({**MAPPING, "columns": {"email": "E-mail"}})},
            "mapping",
            "The file has no column E-mail.",
        ),
    ],
)
def test_bad_imports_are_refused_and_start_nothing(api, body, field, message):
    if "file" not in body and field != "file":
        body = {**body, "file": upload()}

    response = api.post("/api/v1/imports/", body, format="multipart")

    assert response.status_code == 400
    assert message in str(response.json()["error"]["fields"][field])
    assert not ImportJob.objects.exclude(status="draft").exists()
    assert not Lead.objects.exists()


def test_an_unreadable_file_is_refused(api):
    response = api.post(
        "/api/v1/imports/",
        {"file": upload(b"\x00\x00\x00"), "mapping": json.dumps(MAPPING)},
        format="multipart",
    )

    assert response.status_code == 400
    assert "not a CSV or XLSX file" in str(response.json()["error"]["fields"]["file"])


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.SALES_REP])
def test_roles_without_import_rights_are_refused(role, member):
    api = token_client(member(role))

    assert api.get("/api/v1/imports/").status_code == 403
    assert (
        api.post(
            "/api/v1/imports/",
            {"file": upload(), "mapping": json.dumps(MAPPING)},
            format="multipart",
        ).status_code
        == 403
    )
    assert not ImportJob.objects.exists()


# One small file per kind of record, with its mapping; importing it writes one record.
FILES = {
    "leads": (b"id,name\nL1,Ann\n", {"external_id": "id", "name": "name"}),
    "companies": (b"name\nAcme\n", {"name": "name"}),
    "campaigns": (b"name,start\nSpring,2026-03-01\n", {"name": "name", "start_date": "start"}),
    "deals": (
        b"id,amount,status,closed\nD1,99999,won,2026-01-05\n",
        {"external_id": "id", "amount": "amount", "status": "status", "closed_at": "closed"},
    ),
    "activities": (
        b"kind,at,deal\ncall,2026-01-05,D0\n",
        {"kind": "kind", "at": "at", "deal": "deal"},
    ),
}
MODELS = {
    "leads": Lead,
    "companies": Company,
    "campaigns": Campaign,
    "deals": Deal,
    "activities": Activity,
}


def stored_files(folder):
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("kind", list(FILES))
def test_a_file_import_needs_the_right_to_write_its_kind(
    kind, role, org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    deal_create(organization=org, by=None, external_id="D0", name="For the activity")
    content, columns = FILES[kind]
    model = MODELS[kind]
    before = model.objects.count()
    api = token_client(member(role))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/imports/",
            {
                "file": SimpleUploadedFile(f"{kind}.csv", content, content_type="text/csv"),
                "mapping": json.dumps({"kind": kind, "columns": columns}),
            },
            format="multipart",
        )

    if can_import(role, kind):
        assert response.status_code == 202, response.json()
        assert ImportJob.objects.get().status == "done"
        assert model.objects.count() == before + 1
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert model.objects.count() == before
        assert not ImportJob.objects.exists()
        assert stored_files(tmp_path) == []


def test_a_marketing_manager_cannot_import_a_won_deal(org, member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    content, columns = FILES["deals"]
    api = token_client(member(Role.MARKETING_MANAGER))

    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("deals.csv", content),
            "mapping": json.dumps({"kind": "deals", "columns": columns}),
        },
        format="multipart",
    )

    assert response.status_code == 403
    assert "«Create, edit, win and lose deals»" in response.json()["error"]["message"]
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("content", "mapping", "field", "message"),
    [
        (b"\x00\x01\x02", MAPPING, "file", "not a CSV or XLSX file"),
        (b"PK\x03\x04broken zip", MAPPING, "file", "not a readable XLSX file"),
        (b"id,mail\n", MAPPING, "file", "a header but no rows"),
        (
            b"id,mail\n1,a@x.test\n",
            {**MAPPING, "columns": {"email": "E-mail"}},
            "mapping",
            "The file has no column E-mail.",
        ),
    ],
)
def test_a_refused_upload_leaves_no_job_and_no_file(
    api, settings, content, mapping, field, message
):
    response = api.post(
        "/api/v1/imports/",
        {"file": upload(content), "mapping": json.dumps(mapping)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert message in str(response.json()["error"]["fields"][field])
    assert not ImportJob.objects.exists()
    assert stored_files(settings.IMPORT_DIR) == []


def junk_xlsx(tmp_path, broken):
    """A real workbook whose `broken` part is replaced by junk."""
    good = tmp_path / "good.xlsx"
    book = Workbook()
    book.active.append(["id", "mail"])
    book.active.append(["1", "a@x.test"])
    book.save(good)
    with zipfile.ZipFile(good) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in {**parts, broken: b"<junk"}.items():
            target.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "broken", ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]
)
def test_an_xlsx_of_junk_is_a_400_naming_the_file(api, settings, tmp_path, broken):
    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("leads.xlsx", junk_xlsx(tmp_path, broken)),
            "mapping": json.dumps(MAPPING),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "not a readable XLSX file" in str(response.json()["error"]["fields"]["file"])
    assert not ImportJob.objects.exists()


def test_the_rejected_rows_report_neutralises_formulas(api, django_capture_on_commit_callbacks):
    formula = '=HYPERLINK("http://evil.test","click")'
    content = f'id,mail\n1,"{formula.replace(chr(34), chr(34) * 2)}"\n2,+1-2\n'.encode()
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/v1/imports/",
            {"file": upload(content), "mapping": json.dumps(MAPPING)},
            format="multipart",
        )

    report = api.get(f"/api/v1/imports/{started.json()['id']}/rejected/")

    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert [row["value"] for row in rows] == ["'" + formula, "'+1-2"]
    assert [row["reason"] for row in rows] == ["not an e-mail address"] * 2


def test_a_job_whose_member_lost_the_right_fails_and_writes_nothing(
    org, member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    importer = member(Role.SALES_MANAGER)
    content, columns = FILES["deals"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = token_client(importer).post(
            "/api/v1/imports/",
            {
                "file": SimpleUploadedFile("deals.csv", content),
                "mapping": json.dumps({"kind": "deals", "columns": columns}),
            },
            format="multipart",
        )
    importer.role = Role.MARKETING_MANAGER
    importer.save()

    for callback in queued:
        callback()

    job = ImportJob.objects.get(pk=started.json()["id"])
    assert job.status == "failed"
    assert "«Create, edit, win and lose deals»" in job.error
    assert not Deal.objects.exists()
