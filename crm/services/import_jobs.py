"""Import jobs: a file uploaded, its mapping chosen, then imported by a worker with progress."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.announcements import import_finished
from crm.imports.mapping import Mapping, MappingError, no_column_problem, parse_mapping
from crm.imports.reading import FileError, open_table
from crm.imports.runner import run_import
from crm.models import ImportJob, ImportPreset
from orgs.models import Membership, Organization, User
from orgs.permissions import can_import, can_write, import_refusal
from smarketing.lib.enqueue import enqueue_on_commit

logger = logging.getLogger(__name__)


def import_job_upload(
    *,
    organization: Organization,
    by: User,
    upload: UploadedFile,
    mapping: Mapping | None = None,
) -> ImportJob:
    """Keep the uploaded file if it can be imported (with `mapping`, if given): the job then
    waits for its mapping. A refused file raises FileError (or MappingError, for the
    mapping's columns) and leaves nothing behind: no job, no stored file."""
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise FileError(
            f"The file is {upload.size / 2**20:.0f} MB; the limit is {settings.IMPORT_MAX_BYTES / 2**20:.0f} MB."
        )
    name = Path(upload.name or "upload").name
    path = _store(organization, upload, suffix=Path(name).suffix.lower()[:8])
    try:
        _check(path, mapping)
    except Exception:  # refused or not: an upload that makes no job leaves no file
        path.unlink(missing_ok=True)
        raise
    return ImportJob.objects.create(
        organization=organization, created_by=by, file_name=name, file_path=str(path)
    )


def _store(organization: Organization, upload: UploadedFile, *, suffix: str) -> Path:
    folder = settings.IMPORT_DIR / "uploads" / str(organization.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def _check(path: Path, mapping: Mapping | None) -> None:
    """FileError unless the file reads and has rows; MappingError if it lacks mapped columns."""
    table = open_table(path, max_bytes=settings.IMPORT_MAX_BYTES)
    first = next(table.chunks(table.header[:1], 1), None)
    if first is None or first.empty:
        raise FileError(_("The file has a header but no rows."))
    problem = no_column_problem(mapping, table.header) if mapping else None
    if problem:
        raise MappingError([problem])


def import_preset_save(*, organization: Organization, name: str, mapping: Mapping) -> ImportPreset:
    """Keep the mapping under `name` (replacing the organisation's preset of that name), to
    import the next export of the same CRM in one click."""
    try:
        preset, _created = ImportPreset.objects.update_or_create(
            organization=organization, name=name, defaults={"mapping": mapping.as_json()}
        )
    except IntegrityError:
        raise ValidationError(_("The preset could not be saved.")) from None
    return preset


@transaction.atomic
def import_job_start(*, job: ImportJob, mapping: Mapping) -> ImportJob:
    job.kind, job.mapping, job.status = mapping.kind, mapping.as_json(), ImportJob.Status.QUEUED
    job.save(update_fields=["kind", "mapping", "status"])
    enqueue_on_commit("crm.tasks.import_job_run_task", job.pk)
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

    role = _importer_role(job)
    if not can_import(role, job.kind):
        _finish(job, status=ImportJob.Status.FAILED, error=_lost_right(job.kind))
        return
    try:
        summary = run_import(
            organization=job.organization,
            path=Path(job.file_path),
            mapping=parse_mapping(job.mapping),
            max_bytes=settings.IMPORT_MAX_BYTES,
            report_dir=settings.IMPORT_DIR / "reports" / str(job.organization_id),
            progress=progress,
            may_create_channels=can_write(role, "channels"),
        )
    except FileError as error:
        _finish(job, status=ImportJob.Status.FAILED, error=str(error))
        return
    except Exception as error:
        logger.exception("import job %s failed", job_id)
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            error=f"Unexpected error: {type(error).__name__}. It was logged.",
        )
        raise
    _finish(
        job,
        status=ImportJob.Status.DONE,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
        unassigned=summary.unassigned,
        unassigned_owners=summary.unassigned_owners,
        channels_created=summary.channels_created,
        sales_reps_created=summary.sales_reps_created,
        first_date=summary.first_date,
        last_date=summary.last_date,
        error_report=summary.error_report or "",
        rows_done=summary.rows,
        rows_total=summary.rows,
    )


def _importer_role(job: ImportJob) -> str | None:
    """The role of the member who started the job, as it is now: a job runs with the rights
    its member has when it runs, as a token acts with its member's current role."""
    membership = (
        Membership.objects.for_org(job.organization).filter(user_id=job.created_by_id).first()
    )
    return membership.role if membership else None


def _lost_right(kind: str) -> str:
    return _("The member who started this import may no longer import it. %(why)s") % {
        "why": import_refusal(kind)
    }


@transaction.atomic
def _finish(job: ImportJob, **fields: object) -> None:
    """Record how the job ended, and tell its member (and webhooks) with it."""
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)
    import_finished(job)
