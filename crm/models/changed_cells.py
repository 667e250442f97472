"""The table of the CRM's change journal (crm.journal): the KPI cells a write made stale."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from orgs.models import OrgScopedModel


class ChangedCell(OrgScopedModel):
    """A month x channel whose KPI facts no longer match the CRM (or, without a month, the
    channel's open pipeline): written in the same transaction as the change that made it
    so, and cleared once the facts are recomputed.

    `token` changes at every mark, so a recompute clears only the marks it has seen: a
    change committed while it ran leaves its cell marked for the next run.
    """

    month = models.DateField(null=True)  # None: the channel's open pipeline (no month)
    channel_id = models.IntegerField(null=True)  # no foreign key: a mark outlives nothing
    token = models.UUIDField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "month", "channel_id"],
                name="changed_cell_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        what = f"{self.month:%Y-%m}" if self.month else "open pipeline"
        return f"{what} channel {self.channel_id}"
