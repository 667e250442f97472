"""KPI facts: what happened per month, channel, campaign and owner, the open pipeline now,
and how fresh both are. Written only by kpis.recompute, read through kpis.selectors.

The tables keep the names the funnel app gave them (`funnel_*`): the models moved here in
state only (see migrations/0001_initial.py), so no row was copied and no table renamed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from orgs.models import OrgScopedModel


def copied_reference(to: str) -> Any:
    """A fact's channel or campaign: a copy the recompute rewrites, so no database
    constraint (see KpiFact); deleting the channel or campaign deletes its facts (Django)."""
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class KpiFact(OrgScopedModel):
    """What happened in one month, for leads of one channel, campaign and owner: the stored
    numbers every KPI, dashboard and plan-versus-actual is read from.

    Only sums and counts are kept, so that any group of cells adds up (response times are
    kept whole, as a sorted list, for their median and percentiles). Recomputed from the
    CRM's rows whenever its cells are marked as changed; see kpis.recompute.
    """

    month = models.DateField()
    # Deleting a channel or campaign deletes its facts (CASCADE, in Django) and marks its
    # cells; a recompute already writing one of them commits, and the marks replace the
    # row next. A database constraint would fail that recompute (a nightly check of minutes).
    channel = copied_reference("crm.Channel")
    campaign = copied_reference("crm.Campaign")
    # The lead's owner (for deals, the deal's, else its lead's); costs have none. No database
    # constraint and nothing done on delete: a fact is a copy the recompute rewrites, and a
    # deleted user's counts (their leads' owner set to null) must neither vanish nor collide;
    # the nightly full recompute moves them to "no owner".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        db_index=False,
    )
    leads = models.PositiveIntegerField(default=0)
    # stage code -> leads that first reached that stage (or, skipping it, a later one) this month
    reached = models.JSONField(default=dict)
    # stage code -> of those, the leads that have since reached the next stage (cohort conversion)
    converted = models.JSONField(default=dict)
    won_deals = models.PositiveIntegerField(default=0)
    lost_deals = models.PositiveIntegerField(default=0)
    won_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    customers = models.PositiveIntegerField(default=0)  # distinct buyers of this month's wins
    new_customers = models.PositiveIntegerField(default=0)
    new_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    repeat_deals = models.PositiveIntegerField(default=0)
    repeat_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    reactivated_customers = models.PositiveIntegerField(default=0)
    reactivation_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cycle_days = models.DecimalField(max_digits=18, decimal_places=2, default=0)  # summed over won
    cycle_deals = models.PositiveIntegerField(default=0)  # won deals with a lead to measure from
    cost = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    handed_over = models.PositiveIntegerField(default=0)  # leads reaching the hand-off stage
    response_minutes = ArrayField(models.IntegerField(), default=list)  # of those answered, sorted

    class Meta:
        db_table = "funnel_kpifact"  # made by the funnel app, where the facts began
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "month", "channel", "campaign", "owner"],
                name="kpi_fact_cell_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel_id} {self.campaign_id} {self.owner_id}"


class PipelineFact(OrgScopedModel):
    """The open pipeline now: open deals and their amount per pipeline stage, channel and
    owner (the deal's, else its lead's)."""

    channel = copied_reference("crm.Channel")  # no database constraint: see KpiFact
    owner = models.ForeignKey(  # as KpiFact.owner
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        db_index=False,
    )
    stage = models.CharField(max_length=32)
    deals = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        db_table = "funnel_pipelinefact"  # as KpiFact's
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "channel", "owner", "stage"],
                name="pipeline_fact_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.channel_id}: {self.deals}"


class PersonaFact(OrgScopedModel):
    """What happened in one month for leads of one channel and campaign that fit one
    approved buyer persona (persona None: leads that fit none): the leads that entered the
    funnel, those that first reached the hand-off stage (the MQLs), and the deals closed.
    A lead's persona is its fit now (personas' stored fit), as measured against today's
    approved personas. Recomputed with the KPI facts of the same cells (kpis.recompute)."""

    month = models.DateField()
    channel = copied_reference("crm.Channel")  # no database constraint: see KpiFact
    campaign = copied_reference("crm.Campaign")
    # No database constraint: a fact is a copy; an archived persona's rows go at the next
    # recompute of their cells (archiving marks every lead, whose fits then change).
    persona = models.ForeignKey(
        "personas.Persona",
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    leads = models.PositiveIntegerField(default=0)
    mqls = models.PositiveIntegerField(default=0)
    won_deals = models.PositiveIntegerField(default=0)
    lost_deals = models.PositiveIntegerField(default=0)
    won_revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "month", "channel", "campaign", "persona"],
                name="persona_fact_cell_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel_id} {self.campaign_id} {self.persona_id}"


class KpiState(models.Model):
    """How fresh an organisation's facts are, and what the last full check found."""

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    as_of = models.DateTimeField(null=True)  # every change committed before it is in the facts
    last_full_at = models.DateTimeField(null=True)
    last_check_at = models.DateTimeField(null=True)
    last_check_differences = models.PositiveIntegerField(default=0)
    # One more each time the facts are written: what the API's cached answers are keyed by.
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "funnel_kpistate"  # as KpiFact's

    def __str__(self) -> str:
        return f"{self.organization_id} as of {self.as_of}"
