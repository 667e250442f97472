import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import ImportJob, Lead
from orgs.models import Role
from tests.conftest import token_client

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
