"""Shared SMART objectives: a target on one metric of the dictionary, for one scope and
period, owned by marketing and sales members with an incentive weight each; its last SMART
check, its progress against the KPI facts, a weekly history of that progress, and the
targets of the reps it is split into."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from objectives.metrics import OBJECTIVE_METRICS, Direction
from orgs.models import OrgScopedModel
from smarketing.lib.bounds import check_period, validate_business_date


class Status(models.TextChoices):
    """Where an objective stands: before, during (against what is expected by now) and after
    its period."""

    NOT_STARTED = "not_started", _("Not started")
    EARLY = "early", _("Too early to tell")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")


class SplitMethod(models.TextChoices):
    EQUAL = "equal", _("Equal shares")
    WEIGHTS = "weights", _("By weights")
    LAST_YEAR = "last_year", _("By each rep's share of last year's wins")


class Objective(OrgScopedModel):
    """One objective: `metric` (a code of the metric dictionary) reaching `target` (at least,
    or at most for times and costs) over the months from `first_month` to `last_month`, for
    the whole organisation or one scope (a channel, a campaign, a buyer persona or a product;
    at most one). Rates are targets in percent, money in the organisation's currency,
    response times in hours, sales cycles in days.

    `smart` keeps the last SMART check (objectives.checks), `progress` the last progress read
    from the KPI facts (objectives.services.progress), both refreshed by objectives.services."""

    title = models.CharField(_("title"), max_length=160)
    metric = models.CharField(
        _("metric"), max_length=32, choices=[(m.code, m.name) for m in OBJECTIVE_METRICS]
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.AT_LEAST
    )
    first_month = models.DateField(_("first month"), validators=[validate_business_date])
    last_month = models.DateField(_("last month"), validators=[validate_business_date])
    # The scope: at most one of these. Deleting the channel, campaign or persona deletes the
    # objective, as it deletes their KPI facts: a target on what no longer exists means nothing.
    channel = models.ForeignKey(
        "crm.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "crm.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    product = models.CharField(_("product"), max_length=200, blank=True)
    # The plan whose figure it serves (the SMART check's "relevant" reads it).
    plan = models.ForeignKey(
        "funnel.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Owned by a marketing member and a sales member both (kept by objectives.services).
    shared = models.BooleanField(_("shared"), default=False)
    smart = models.JSONField(default=dict, blank=True)  # the last check's answer
    checked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.JSONField(default=dict, blank=True)
    progress_as_of = models.DateTimeField(null=True, blank=True)  # the facts' "as of"
    split_method = models.CharField(
        _("split into rep targets"), max_length=12, choices=SplitMethod.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["first_month", "title", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")),
                name="objective_period_in_order",
                violation_error_message=_("An objective's period cannot end before it starts."),
            ),
            models.CheckConstraint(
                # At most one scope: a channel, a campaign, a persona or a product.
                condition=(
                    Q(campaign__isnull=True, persona__isnull=True, product="")
                    | Q(channel__isnull=True, persona__isnull=True, product="")
                    | Q(channel__isnull=True, campaign__isnull=True, product="")
                    | Q(channel__isnull=True, campaign__isnull=True, persona__isnull=True)
                ),
                name="objective_one_scope",
                violation_error_message=_("An objective has at most one scope."),
            ),
            models.CheckConstraint(condition=Q(target__gte=0), name="objective_target_positive"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "last_month"], name="objective_period_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        check_period(self.first_month, self.last_month, field="last_month")

    @property
    def scope_kind(self) -> str:
        for kind in ("channel", "campaign", "persona"):
            if getattr(self, f"{kind}_id"):
                return kind
        return "product" if self.product else ""


class Owner(OrgScopedModel):
    """A member who owns an objective, with the share of their variable pay tied to it (an
    incentive weight in percent; over the objectives of any one month, at most 100)."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="owners", db_index=False
    )
    membership = models.ForeignKey("orgs.Membership", on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField(
        _("incentive weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["objective", "organization", "membership"], name="objective_owner_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="objective_owner_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.weight} %"


class RepTarget(OrgScopedModel):
    """A sales rep's part of a sales objective: the targets of its reps add up exactly to
    the objective's. Its progress is the rep's own (the KPI facts per owner)."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="rep_targets", db_index=False
    )
    membership = models.ForeignKey("orgs.Membership", on_delete=models.CASCADE, related_name="+")
    target = models.DecimalField(max_digits=16, decimal_places=2)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["objective", "organization", "membership"], name="rep_target_unique"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "membership"], name="rep_target_member_idx")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.target}"


class Snapshot(OrgScopedModel):
    """An objective's progress in one week (its Monday): the path a chart draws. The current
    week's row is rewritten at every refresh; earlier weeks stay as they were."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    week = models.DateField()
    actual = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    expected = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    projected = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    status = models.CharField(max_length=12, choices=Status.choices)

    class Meta:
        ordering: ClassVar = ["week"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["objective", "organization", "week"], name="objective_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.week}: {self.actual}"
