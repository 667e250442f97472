"""Organisations (tenants), their members and roles, invitations and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from datetime import datetime


def validate_currency(code: str) -> None:
    from babel.numbers import list_currencies

    if code not in list_currencies():
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code."), params={"code": code}
        )


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MARKETING_MANAGER = "marketing_manager", _("Marketing manager")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALES_REP = "sales_rep", _("Sales rep")
    LEADERSHIP = "leadership", _("Leadership")


class User(AbstractUser):
    """A person who signs in. What they may see and do depends on their memberships."""

    class Meta:
        swappable = "AUTH_USER_MODEL"
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Another account already uses this e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def has_signed_up(self) -> bool:
        """False for a sales rep recorded by an import, who has no login until invited."""
        return self.is_active and self.has_usable_password()


class Organization(models.Model):
    """A company using Smarketing: the tenant that every domain row belongs to."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[validate_currency],
        help_text=_("ISO 4217 code, for example EUR."),
    )
    # Until the Sales-Marketing SLA owns it: how soon sales should answer a handed-over lead.
    response_window_hours = models.PositiveSmallIntegerField(
        _("response window (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("How soon sales should call, write or meet a lead that reached the MQL stage."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrgQuerySet(models.QuerySet):
    """The one way to read a tenant's rows: `Model.objects.for_org(org)`."""

    def for_org(self, organization: Organization) -> OrgQuerySet:
        lookup = getattr(self.model, "org_lookup", "organization")
        return self.filter(**{lookup: organization})


class OrgScopedModel(models.Model):
    """Base of every domain row: it belongs to exactly one organisation."""

    # No index of its own: every scoped table leads its indexes and unique constraints with
    # organization_id, which serve the same look-ups without a second index to maintain.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(OrgScopedModel):
    """One user's single role in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering: ClassVar = ["user__username"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id} ({self.role})"


class Invitation(OrgScopedModel):
    """An e-mailed link that lets its holder join an organisation with a role, until it expires."""

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A sales rep recorded by an import (a member without a login): signing up through this
    # invitation makes that very user theirs, so the records the rep owns stay with them.
    claims = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="invitation_created_idx")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    def is_pending(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class ApiToken(models.Model):
    """A member's personal API key: scoped to one organisation, acting with the member's role.

    Only a SHA-256 of the key is stored; the key itself is shown once, at creation.
    """

    org_lookup = "membership__organization"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
