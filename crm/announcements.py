"""What the CRM tells people (smarketing.lib.events): an import that finished or failed,
to the member who started it (and to the organisation's webhooks)."""

from __future__ import annotations

from django.urls import reverse

from crm.models import ImportJob
from smarketing.lib.events import Happening, Kind, announce


def import_finished(job: ImportJob) -> None:
    failed = job.status == ImportJob.Status.FAILED
    announce(Happening(
        organization_id=job.organization_id,
        kind=Kind.IMPORT_FAILED if failed else Kind.IMPORT_FINISHED,
        key=f"import:{job.pk}",
        data={
            "import_id": job.pk, "records": job.kind, "file_name": job.file_name,
            "status": job.status, "rows": job.rows_total,
            "written": job.created + job.updated, "created": job.created,
            "updated": job.updated, "unchanged": job.unchanged, "rejected": job.rejected,
            "reason": job.error if failed else "",
        },
        recipients=(job.created_by_id,) if job.created_by_id else (),
        link=reverse("crm-import-job", kwargs={"pk": job.pk}),
    ))  # fmt: skip
