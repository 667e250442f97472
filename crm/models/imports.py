"""Imports: saved column mappings, and the jobs that import files."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel


class ImportPreset(OrgScopedModel):
    """A saved column mapping, to import the next export of the same CRM in one click."""

    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="import_preset_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(OrgScopedModel):
    """One file being (or having been) imported: its mapping, progress and summary."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for its mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("records"), max_length=16, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_path = models.CharField(max_length=500)
    mapping = models.JSONField(_("mapping"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Records imported without the owner the file named, and those names (most rows first).
    unassigned = models.PositiveIntegerField(default=0)
    unassigned_owners = models.JSONField(default=dict, blank=True)
    channels_created = models.JSONField(default=list, blank=True)
    sales_reps_created = models.JSONField(default=list, blank=True)
    # The span of the imported records' dates: the dashboard period that shows them.
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_report = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="import_job_created_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def months(self) -> tuple[str, str] | None:
        """The first and last month ('YYYY-MM') of the imported records' dates."""
        if self.first_date is None or self.last_date is None:
            return None
        return self.first_date.strftime("%Y-%m"), self.last_date.strftime("%Y-%m")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
