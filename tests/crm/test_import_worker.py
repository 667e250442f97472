"""An import started from the API runs on a real Celery worker, which reports its progress."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.imports.runner import CHUNK_ROWS
from crm.models import ImportJob, Lead
from orgs.models import Role
from tests.conftest import token_client
from tests.workers import real_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_import_job(member, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    rows = "\n".join(f"L{i},lead{i}@example.test" for i in range(300))
    upload = SimpleUploadedFile("leads.csv", f"id,mail\n{rows}\n".encode())
    mapping = {
        "kind": "leads",
        "columns": {"external_id": "id", "email": "mail"},
        "constants": {"stage": "mql"},
    }

    with real_worker() as worker:
        started = token_client(member(Role.MARKETING_MANAGER)).post(
            "/api/v1/imports/", {"file": upload, "mapping": json.dumps(mapping)}, format="multipart"
        )
        job_id = started.json()["id"]
        finished = worker.wait_until(
            lambda: ImportJob.objects.get(pk=job_id).status in ("done", "failed")
        )

    assert finished, worker.output
    job = ImportJob.objects.get(pk=job_id)
    assert (job.status, job.created, job.rows_done, job.rows_total) == ("done", 300, 300, 300), (
        job.error
    )
    assert Lead.objects.count() == 300
    assert "import_job_run_task" in worker.output[0]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_imports_a_file_of_several_chunks(member, settings, tmp_path):
    # More rows than a chunk: prepared in a process of the pool process's own, and written
    # on two connections side by side.
    settings.IMPORT_DIR = tmp_path
    rows = "\n".join(f"L{i},lead{i}@example.test" for i in range(CHUNK_ROWS + 10))
    upload = SimpleUploadedFile("leads.csv", f"id,mail\n{rows}\n".encode())
    mapping = {"kind": "leads", "columns": {"external_id": "id", "email": "mail"}}

    with real_worker(pool="prefork") as worker:
        started = token_client(member(Role.MARKETING_MANAGER)).post(
            "/api/v1/imports/", {"file": upload, "mapping": json.dumps(mapping)}, format="multipart"
        )
        job_id = started.json()["id"]
        finished = worker.wait_until(
            lambda: ImportJob.objects.get(pk=job_id).status in ("done", "failed"), seconds=120
        )

    assert finished, worker.output
    job = ImportJob.objects.get(pk=job_id)
    assert (job.status, job.created, job.rows_done) == ("done", CHUNK_ROWS + 10, CHUNK_ROWS + 10), (
        job.error
    )
    assert Lead.objects.count() == CHUNK_ROWS + 10
