"""Import jobs: a file uploaded, its mapping chosen, then imported by a worker with progress."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from crm.imports.mapping import Mapping
from crm.imports.reading import FileError
from crm.imports.runner import run_import
from crm.models import ImportJob
from orgs.models import Organization, User
from smarketing.celery import enqueue_on_commit

logger = logging.getLogger(__name__)


def import_job_upload(*, organization: Organization, by: User, upload: UploadedFile) -> ImportJob:
    """Keep the uploaded file; the job waits for its mapping."""
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise FileError(
            f"The file is {upload.size / 2**20:.0f} MB; the limit is {settings.IMPORT_MAX_BYTES / 2**20:.0f} MB."
        )
    folder = settings.IMPORT_DIR / "uploads" / str(organization.pk)
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(upload.name or "upload").name
    path = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return ImportJob.objects.create(
        organization=organization, created_by=by, file_name=name, file_path=str(path)
    )


@transaction.atomic
def import_job_start(*, job: ImportJob, mapping: Mapping) -> ImportJob:
    job.kind, job.mapping, job.status = mapping.kind, mapping.as_json(), ImportJob.Status.QUEUED
    job.save(update_fields=["kind", "mapping", "status"])
    from crm.tasks import import_job_run_task

    enqueue_on_commit(import_job_run_task, job.pk)
    return job


def import_job_run(*, job_id: int) -> None:
    """Run a queued job (idempotent: a job that is not queued is left alone)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("organization").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    from crm.imports.mapping import parse_mapping

    try:
        summary = run_import(
            organization=job.organization,
            path=Path(job.file_path),
            mapping=parse_mapping(job.mapping),
            max_bytes=settings.IMPORT_MAX_BYTES,
            report_dir=settings.IMPORT_DIR / "reports" / str(job.organization_id),
            progress=progress,
        )
    except FileError as error:
        _finish(job_id, status=ImportJob.Status.FAILED, error=str(error))
        return
    except Exception as error:
        logger.exception("import job %s failed", job_id)
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            error=f"Unexpected error: {type(error).__name__}. It was logged.",
        )
        raise
    _finish(
        job_id,
        status=ImportJob.Status.DONE,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
        error_report=summary.error_report or "",
        rows_done=summary.rows,
        rows_total=summary.rows,
    )


def _finish(job_id: int, **fields: object) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)
