"""Plans: a revenue goal for a period turned into stored targets per month, stage and channel."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from smarketing.lib.bounds import check_period, validate_business_date


def validate_inputs(value: object) -> None:
    """A plan's inputs are the calculator's body: a JSON object."""
    if not isinstance(value, dict):
        raise ValidationError(
            _("Give the inputs as a JSON object, like the calculator's body."), code="not_an_object"
        )


class Plan(OrgScopedModel):
    """One version of a named plan (FY2027 ...). Editing an active plan makes a new version;
    the old one is archived, not changed, so what was agreed stays readable."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    class Mode(models.TextChoices):
        LEARNED = "learned", _("Learned from history")
        FROZEN = "frozen", _("Frozen at the values chosen")

    series = models.UUIDField(
        default=uuid.uuid4, editable=False
    )  # all versions of one plan share it
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(_("name"), max_length=100)
    first_month = models.DateField(_("first month"), validators=[validate_business_date])
    last_month = models.DateField(_("last month"), validators=[validate_business_date])
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    mode = models.CharField(
        _("assumptions"), max_length=8, choices=Mode.choices, default=Mode.FROZEN
    )
    # The calculator's body, with learned values filled in.
    inputs = models.JSONField(_("inputs"), validators=[validate_inputs])
    # Totals, budget and assumptions of the calculation.
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "series", "version"], name="plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "series"],
                condition=Q(status="active"),
                name="plan_one_active_version",
                violation_error_message=_("Only one version of a plan can be active."),
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")),
                name="plan_period_in_order",
                violation_error_message=_("A plan's period cannot end before it starts."),
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organization", "name"], name="plan_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self) -> None:
        check_period(self.first_month, self.last_month, field="last_month")


class PlanTarget(OrgScopedModel):
    """How many a stage needs in a month (and channel: '' for all channels) under a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", db_index=False)
    month = models.DateField()
    stage = models.CharField(max_length=32)
    channel = models.CharField(max_length=50, blank=True)
    target = models.PositiveIntegerField()

    class Meta:
        constraints: ClassVar = [
            # With the organisation, so the table stays distributable by it (docs/scaling.md);
            # led by the plan, which deleting a plan's targets looks them up by.
            models.UniqueConstraint(
                fields=["plan", "organization", "month", "stage", "channel"],
                name="plan_target_unique",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "plan", "month"], name="plan_target_month_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.stage} {self.channel or '*'}: {self.target}"


class KpiFact(OrgScopedModel):
    """What happened in one month, for leads of one channel, campaign and owner: the stored
    numbers every KPI, dashboard and plan-versus-actual is read from.

    Only sums and counts are kept, so that any group of cells adds up (response times are
    kept whole, as a sorted list, for their median and percentiles). Recomputed from the
    CRM's rows whenever its cells are marked as changed; see funnel.kpis.
    """

    month = models.DateField()
    # Deleting a channel or campaign deletes its facts (CASCADE, in Django) and marks its
    # cells; a recompute already writing one of them commits, and the marks replace the
    # row next. A database constraint would fail that recompute (a nightly check of minutes).
    channel = models.ForeignKey(
        "crm.Channel",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        "crm.Campaign",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
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

    channel = models.ForeignKey(  # no database constraint: see KpiFact
        "crm.Channel",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
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
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "channel", "owner", "stage"],
                name="pipeline_fact_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.channel_id}: {self.deals}"


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

    def __str__(self) -> str:
        return f"{self.organization_id} as of {self.as_of}"
