"""Each active plan's assumptions against its latest cohorts (reviews/drift.py measures
them), stored by the recompute so that pages and the API read them; and the window of days
each organisation measures over."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funnel.models import Plan
from orgs.models import OrgScopedModel
from reviews import drift
from smarketing.lib.bounds import STAGE_CODE_LENGTH

DEFAULT_WINDOW_DAYS = 90
# Under a month the cohorts are too small to say anything; over a year they are not the
# latest any more.
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 30, 365


class DriftSettings(OrgScopedModel):
    """How an organisation measures drift: the rolling window of days whose cohorts are
    measured. An organisation without a row measures the last DEFAULT_WINDOW_DAYS."""

    window_days = models.PositiveSmallIntegerField(
        _("window in days"),
        default=DEFAULT_WINDOW_DAYS,
        validators=[MinValueValidator(MIN_WINDOW_DAYS), MaxValueValidator(MAX_WINDOW_DAYS)],
        help_text=_("The latest cohorts measured: leads that entered a stage in these many days."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("drift settings")
        verbose_name_plural = _("drift settings")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="drift_settings_unique"),
            models.CheckConstraint(
                condition=models.Q(window_days__gte=MIN_WINDOW_DAYS)
                & models.Q(window_days__lte=MAX_WINDOW_DAYS),
                name="drift_window_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.window_days} days"


class DriftMetric(models.TextChoices):
    RATE = drift.RATE, _("Conversion rate")
    DAYS = drift.DAYS, _("Stage time")


class DriftDirection(models.TextChoices):
    """Where a measurement's interval lies against the plan's assumption."""

    BELOW = drift.BELOW, _("below the assumption")
    ABOVE = drift.ABOVE, _("above the assumption")
    WITHIN = drift.WITHIN, _("within the interval")
    UNMEASURED = drift.UNMEASURED, _("too few leads")


class PlanDrift(OrgScopedModel):
    """One assumption of an active plan (a stage pair's conversion rate or stage time)
    against the cohorts of the window: measured, with its 95 % interval, and what it means
    in customers and revenue when the interval lies wholly on one side of the assumption.
    One row per plan, pair and metric, replaced at each recompute."""

    Metric = DriftMetric
    Direction = DriftDirection

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", db_index=False)
    stage = models.CharField(_("stage"), max_length=2 * STAGE_CODE_LENGTH + 2)  # "mql->sql"
    position = models.PositiveSmallIntegerField()  # of the pair in the plan's funnel
    metric = models.CharField(_("metric"), max_length=8, choices=Metric.choices)
    assumed = models.DecimalField(_("assumed"), max_digits=12, decimal_places=4)
    measured = models.DecimalField(_("measured"), max_digits=12, decimal_places=4, null=True)
    low = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    high = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    # Leads that entered the stage (a rate), or that moved on (a stage time).
    sample = models.PositiveIntegerField(_("sample"))
    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    customers_delta = models.IntegerField(_("customers at current rates"), default=0)
    revenue_delta = models.DecimalField(
        _("revenue at current rates"), max_digits=18, decimal_places=2, default=0
    )
    window_days = models.PositiveSmallIntegerField()
    window_start = models.DateField()  # the cohorts of [window_start, window_end)
    window_end = models.DateField()
    # The day this drift first showed, kept by every recompute while it lasts: what makes
    # it told once (reviews/services/drift.py).
    since = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["plan_id", "position", "-metric"]  # a rate, then its time
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "plan", "stage", "metric"], name="plan_drift_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.stage} {self.metric}: {self.direction}"

    @property
    def at_risk(self) -> bool:
        return self.direction in drift.DRIFTS

    @property
    def last_day(self) -> date:
        """The window's last day (window_end is the day after it)."""
        return self.window_end - timedelta(days=1)
