"""Plans: a revenue goal for a period turned into stored targets per month, stage and channel."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
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
