"""Buyer personas: the ideal customer both teams agree on, kept as versions with approvals."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, OrgScopedModel
from personas.calculations import MAX_WEIGHT, CriterionError, Kind, clean_params

DEFAULT_THRESHOLD = 60
KIND_CHOICES = [
    (Kind.INDUSTRY_IN.value, _("Industry in a list")),
    (Kind.EMPLOYEES_BETWEEN.value, _("Employees in a range")),
    (Kind.ANNUAL_REVENUE_BETWEEN.value, _("Annual revenue in a range")),
    (Kind.COUNTRY_IN.value, _("Country in a list")),
    (Kind.TITLE_WORDS.value, _("Job title with one of these words")),
    (Kind.CHANNEL_IN.value, _("Channel in a list")),
    (Kind.PRODUCT_IN.value, _("Product in a list")),
    (Kind.CUSTOM_FIELD.value, _("Custom field with one of these values")),
]


class Persona(OrgScopedModel):
    """A persona's stable identity; what it says lives in its versions. Its current version
    is the newest; its approved version, the newest that both teams approved, is the one that
    qualifies leads."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        verbose_name = _("buyer persona")
        verbose_name_plural = _("buyer personas")
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="persona_created_idx")
        ]

    def __str__(self) -> str:
        current = self.current_version
        return current.name if current else f"#{self.pk}"

    def _versions(self) -> list[PersonaVersion]:
        # Newest first; prefetched by the selectors, so a list reads no more per row.
        return sorted(self.versions.all(), key=lambda v: v.number, reverse=True)

    @property
    def current_version(self) -> PersonaVersion | None:
        versions = self._versions()
        return versions[0] if versions else None

    @property
    def approved_version(self) -> PersonaVersion | None:
        return next((v for v in self._versions() if v.approved_at is not None), None)


class Side(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")


class PersonaVersion(OrgScopedModel):
    """What a persona says at one version: the profile people fill in, and the threshold its
    criteria's fit score must reach. A draft changes in place; an approved version never
    changes (editing it makes the next version)."""

    persona = models.ForeignKey(
        Persona, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    number = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("short description"), max_length=500, blank=True)
    decision_maker = models.CharField(_("who decides the purchase"), max_length=300, blank=True)
    role_title = models.CharField(_("role or title"), max_length=300, blank=True)
    goals = models.CharField(_("goals and aspirations"), max_length=2000, blank=True)
    pains = models.CharField(_("pains"), max_length=2000, blank=True)
    whereabouts = models.CharField(_("where they are"), max_length=1000, blank=True)
    industries = models.CharField(_("industries to look in"), max_length=1000, blank=True)
    company_sizes = models.CharField(_("company sizes to look in"), max_length=500, blank=True)
    countries = models.CharField(_("countries to look in"), max_length=1000, blank=True)
    products = models.CharField(_("products or services that fit"), max_length=1000, blank=True)
    channels = models.CharField(_("channels that reach them"), max_length=1000, blank=True)
    threshold = models.PositiveSmallIntegerField(
        _("fit threshold"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A lead fits when its fit score (0 to 100) is at least this."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the second side approves (services.persona_approve): from then on it is fixed.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    PROFILE_FIELDS: ClassVar = [
        "name",
        "description",
        "decision_maker",
        "role_title",
        "goals",
        "pains",
        "whereabouts",
        "industries",
        "company_sizes",
        "countries",
        "products",
        "channels",
        "threshold",
    ]

    class Meta:
        ordering: ClassVar = ["persona", "-number"]
        verbose_name = _("persona version")
        verbose_name_plural = _("persona versions")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["persona", "organization", "number"],
                name="persona_version_unique",
                violation_error_message=_("This persona already has a version of that number."),
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=100),
                name="persona_version_threshold_0_100",
                violation_error_message=_("The fit threshold lies from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


def validate_params(value: object) -> None:
    """A criterion's parameters are a JSON object; their shape per kind is checked in
    Criterion.clean, which knows the kind."""
    if not isinstance(value, dict):
        raise ValidationError(_("Give the parameters as a JSON object."), code="not_an_object")


class Criterion(OrgScopedModel):
    """One criterion of a persona version that a program can check against a lead, with its
    weight in the fit score. `params` holds the shape personas.calculations.clean_params
    gives its kind."""

    version = models.ForeignKey(
        PersonaVersion, on_delete=models.CASCADE, related_name="criteria", db_index=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_WEIGHT)]
    )
    params = models.JSONField(_("parameters"), validators=[validate_params])

    class Meta:
        ordering: ClassVar = ["version", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=MAX_WEIGHT),
                name="persona_criterion_weight_positive",
                violation_error_message=_("A weight is a whole number from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]),
                name="persona_criterion_kind_known",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["version", "position"], name="persona_criterion_version_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} x{self.weight}"

    def clean(self) -> None:
        try:
            self.params = clean_params(self.kind, self.params)
        except CriterionError as error:
            name = "kind" if error.field == "kind" else "params"
            raise ValidationError({name: error.message}) from error


class Approval(OrgScopedModel):
    """One side's approval of one persona version: who, when, and whether an admin stood in
    for the side's manager."""

    version = models.ForeignKey(
        PersonaVersion, on_delete=models.CASCADE, related_name="approvals", db_index=False
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    at = models.DateTimeField(_("approved at"), default=timezone.now)
    stood_in_as_admin = models.BooleanField(_("an admin stood in"), default=False)

    class Meta:
        ordering: ClassVar = ["version", "at", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["version", "organization", "side"],
                name="persona_approval_one_per_side",
                violation_error_message=_("This side has already approved this version."),
            ),
            models.CheckConstraint(
                condition=Q(side__in=[s.value for s in Side]), name="persona_approval_side_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.side} by {self.by_id}"


class LeadFit(OrgScopedModel):
    """A lead's best fit among the approved personas: the persona (and the approved version
    it was measured against), the score, whether it fits (score at least the version's
    threshold) and which of the version's criteria it met, one bit per criterion by
    position. Written only by personas.fitting's set-based statements; a lead without a row
    was not measured (no persona approved yet, or a refresh waits). The lead's row goes
    with the lead, in the database (see the migration): the CRM deletes leads in bulk and
    knows nothing of personas.

    The organisation and the persona are copies, checked in the database through the lead
    and the version only (as a lead's stage history is): the statement writes the lead's
    organisation and the version's persona, and a check of each against its own table cost
    a million-lead first refresh 2.7 s apiece and caught nothing the other two do not.
    Deleting an organisation or a persona still deletes its fits (on_delete, in Django)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
        db_constraint=False,
    )
    # One row a lead (leadfit_one_per_lead). The database's own key, ON DELETE CASCADE, is
    # made by the migration: Django's deletion would have to know this table.
    lead = models.ForeignKey(
        "crm.Lead",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    persona = models.ForeignKey(
        Persona,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("persona"),
        db_constraint=False,
    )
    version = models.ForeignKey(
        PersonaVersion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    score = models.PositiveSmallIntegerField(_("fit score"))
    fits = models.BooleanField(_("fits"))
    met = models.IntegerField(default=0)  # bit i: the criterion at position i was met

    class Meta:
        verbose_name = _("lead fit")
        verbose_name_plural = _("lead fits")
        constraints: ClassVar = [
            # The lead first: the database's cascade from a deleted lead finds its row by it.
            models.UniqueConstraint(fields=["lead", "organization"], name="leadfit_one_per_lead")
        ]
        indexes: ClassVar = [
            # Lists filtered by persona and a least score: ?persona=ID&fit_min=60.
            models.Index(
                fields=["organization", "persona", "score"], name="leadfit_persona_score_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id}: {self.score} ({self.persona_id})"

    def criterion_met(self, position: int) -> bool:
        return bool(self.met >> position & 1)


class PersonaSettings(OrgScopedModel):
    """How an organisation uses its personas. `qualify_new_leads`: a lead that enters the
    funnel from `qualifying_since` on and fits an approved persona moves to the hand-off
    stage (an MQL) by itself, its stage history naming the persona. Off by default."""

    qualify_new_leads = models.BooleanField(
        _("a new lead that fits an approved persona becomes an MQL"), default=False
    )
    qualifying_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("persona settings")
        verbose_name_plural = _("persona settings")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="persona_settings_one")
        ]

    def __str__(self) -> str:
        return f"qualify new leads: {self.qualify_new_leads}"
