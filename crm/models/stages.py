"""An organisation's lifecycle and pipeline stages."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel


class LifecycleStage(OrgScopedModel):
    """A stage of a contact's life in this organisation's funnel, in order; exits
    (disqualified, recycled) stand beside the funnel. A stage may play a role the product
    relies on, whatever its code or name (crm.selectors.stage_with_role)."""

    class Role(models.TextChoices):
        # Where marketing hands a lead to sales: a lead's response time starts there.
        HANDOFF = "handoff", _("Hand-off to sales")
        # Where a won deal takes its lead.
        CUSTOMER = "customer", _("Customer")

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    is_exit = models.BooleanField(_("exit"), default=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "code"], name="lifecycle_stage_unique"),
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=~Q(role=""),
                name="lifecycle_stage_role_unique",
                violation_error_message=_("Another stage already plays this role."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.role == self.Role.CUSTOMER and self.is_exit:
            raise ValidationError(
                {"is_exit": _("The customer stage cannot be an exit: won deals lead there.")}
            )


class PipelineStage(OrgScopedModel):
    """A stage of this organisation's deal pipeline, in order."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "code"], name="pipeline_stage_unique")
        ]

    def __str__(self) -> str:
        return self.name
