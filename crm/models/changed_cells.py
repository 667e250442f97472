"""The tables of the CRM's change journal (crm.journal): the KPI cells a write made stale,
and the leads whose profile it changed."""

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


class ChangedLead(OrgScopedModel):
    """A lead whose profile (its own fields, its company's, its deals' products) changed
    since whoever keeps values derived from it per lead (the personas' fit) last read the
    journal; written in the same transaction as the change. `lead_id` None: any lead may
    have changed (an import, a company deleted, a channel renamed): read them all."""

    lead_id = models.BigIntegerField(null=True)  # no foreign key: a mark outlives its lead
    marked_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "lead_id"],
                name="changed_lead_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return "every lead" if self.lead_id is None else f"lead {self.lead_id}"


class ChangedConversion(OrgScopedModel):
    """A move dated after all of its lead's history, seen from the month the lead first
    entered its furthest stage (`stage`) before it: past that stage, one more lead converted
    from it there (`converted` 1), the only count the move changes in that month; back, or
    out of the funnel, none (0), but whoever reads that month's leads (the SLA's hand-offs)
    hears of it all the same. See crm.journal. Written in the same transaction as the move,
    added to the stored cell and its month announced by whoever keeps the facts, or dropped
    by the recompute of its month and channel, which counts the move itself.
    A win on a lead of any age then leaves its lead's old months unmarked: a stream of wins
    over leads of every age had every month of an organisation recomputed over and over."""

    # The stage change that records the move: a move is counted once, however often marked.
    change_id = models.BigIntegerField()
    month = models.DateField()
    # The lead's, as the facts key a cell; no foreign keys: a copy, as in ChangedCell.
    channel_id = models.IntegerField(null=True)
    campaign_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    stage = models.CharField(max_length=32)
    converted = models.PositiveSmallIntegerField()  # 1 or 0
    marked_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organization", "month"], name="changed_conversion_month")
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "change_id"], name="changed_conversion_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} channel {self.channel_id}: {self.converted} more from {self.stage}"
        )
