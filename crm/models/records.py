"""CRM records: channels, campaigns, companies, leads and their stage history, deals,
activities."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models.fields import (
    BOUNDED,
    DUPLICATE_ID,
    custom_field,
    money_field,
    null_free,
    unique_when_set,
)
from orgs.models import Organization, OrgScopedModel
from smarketing.lib.bounds import check_period


class Channel(OrgScopedModel):
    """Where leads come from: organic search, paid search, social, e-mail, referral, events ..."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "code"], name="channel_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(OrgScopedModel):
    """A marketing action on one channel, with its budget and what it actually cost."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    channel = models.ForeignKey(
        Channel, on_delete=models.RESTRICT, null=True, blank=True, verbose_name=_("channel")
    )
    start_date = models.DateField(_("start"), validators=BOUNDED)
    end_date = models.DateField(_("end"), null=True, blank=True, validators=BOUNDED)
    budget = money_field(_("budget"))
    actual_cost = money_field(_("actual cost"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        ordering: ClassVar = ["-start_date", "name"]
        constraints: ClassVar = [
            unique_when_set("external_id", "campaign_external_id_unique", DUPLICATE_ID),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0) | Q(budget__isnull=True), name="campaign_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__gte=0) | Q(actual_cost__isnull=True),
                name="campaign_cost_positive",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "start_date"], name="campaign_start_idx")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Its cost is spread over every month it runs, each a KPI cell to recompute.
        check_period(self.start_date, self.end_date, field="end_date")


class Company(OrgScopedModel):
    """An organisation that leads work for and deals are made with."""

    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = money_field(_("annual revenue"))
    country = models.CharField(_("country"), max_length=100, blank=True)
    custom = custom_field()
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name_plural = _("companies")
        constraints: ClassVar = [
            unique_when_set("external_id", "company_external_id_unique", DUPLICATE_ID)
        ]
        indexes: ClassVar = [models.Index(fields=["organization", "name"], name="company_name_idx")]

    def __str__(self) -> str:
        return self.name


class Lead(OrgScopedModel):
    """A person or company in the funnel. `stage` is a code of the organisation's
    lifecycle stages; every change of it is kept in LeadStageChange."""

    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(
        _("e-mail"), max_length=254, blank=True
    )  # normalised: trimmed, lower case
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    # The three references below are indexed where set (null_free): most leads have none.
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("company"),
        db_index=False,
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    custom = custom_field()
    # Indexed by lead_channel_idx (organization, channel).
    channel = models.ForeignKey(
        Channel,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        verbose_name=_("channel"),
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("campaign"),
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,
    )
    created_at = models.DateTimeField(
        _("entered the funnel"), default=timezone.now, validators=BOUNDED
    )
    # Indexed by lead_stage_idx (organization, stage): every read of a stage is one
    # organisation's, and a slug's own two indexes (equality and LIKE) cost an import of a
    # million leads 5.6 s and served no query.
    stage = models.SlugField(_("stage"), max_length=32, db_index=False)
    stage_changed_at = models.DateTimeField(_("stage since"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            unique_when_set("external_id", "lead_external_id_unique", DUPLICATE_ID),
            unique_when_set(
                "email", "lead_email_unique", _("A lead with this e-mail already exists.")
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="lead_created_idx"),
            models.Index(fields=["organization", "stage"], name="lead_stage_idx"),
            # Covering, for the KPI recompute of one channel's month: index-only, no heap.
            models.Index(
                fields=["organization", "channel", "created_at"],
                include=["id", "campaign"],
                name="lead_channel_month_idx",
            ),
            *null_free("campaign", "company", "owner", prefix="lead"),
        ]

    # A lead is someone: one of these names them, so a person can reach or match them.
    IDENTITY: ClassVar = ("name", "email", "external_id")
    NO_IDENTITY = _("A lead needs a name, an e-mail or an external id.")

    def __str__(self) -> str:
        return self.name or self.email or self.external_id or f"#{self.pk}"


class LeadStageChange(OrgScopedModel):
    """One move of a lead between stages: from, to, when, by whom, and how it was made.
    A lead's entry into the funnel is a change from '' to its first stage."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("By hand")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        DEAL_WON = "deal_won", _("Deal won")
        MERGE = "merge", _("Merge")
        PERSONA = "persona", _("Fits a buyer persona")
        SALES_DECISION = "sales_decision", _("Accepted or rejected by sales")

    # The lead's organisation, copied for scoping and indexes. Its database constraint is
    # the lead's (lead_id, then the lead's organization_id): a second check of every row
    # against the organisation cost a million-lead import 6 s and caught nothing the first
    # does not; deleting an organisation still deletes its history (on_delete, in Django).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
        db_constraint=False,
    )
    # Indexed by stage_change_history_idx (lead, at).
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    from_stage = models.CharField(max_length=32, blank=True)
    to_stage = models.CharField(max_length=32)
    at = models.DateTimeField(validators=BOUNDED)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # indexed where set (null_free): imports and the API record no one
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    # What made the move, in words, where the source alone does not say (which persona the
    # lead fits). A database default: imports copy history rows without it.
    detail = models.CharField(_("detail"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering: ClassVar = ["at", "pk"]
        indexes: ClassVar = [
            # Both covering, for the KPI recompute: who moved in a month, then their history.
            models.Index(
                fields=["organization", "to_stage", "at"],
                include=["lead"],
                name="stage_change_entry_idx",
            ),
            models.Index(
                fields=["lead", "at"],
                include=["to_stage", "organization"],
                name="stage_change_history_idx",
            ),
            *null_free("by", prefix="stage_change"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"


class Deal(OrgScopedModel):
    """A sale in progress or closed. `kind` is derived from the company's earlier won deals."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Kind(models.TextChoices):
        NEW = "new", _("New business")
        REPEAT = "repeat", _("Repeat")
        REACTIVATION = "reactivation", _("Reactivation")

    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    lead = models.ForeignKey(
        Lead,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("lead"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("company"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    product = models.CharField(_("product"), max_length=200, blank=True)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    # Read within one organisation's open deals (deal_closed_idx): not indexed on its own.
    pipeline_stage = models.SlugField(
        _("pipeline stage"), max_length=32, blank=True, db_index=False
    )
    created_at = models.DateTimeField(
        _("created"), null=True, blank=True, validators=BOUNDED
    )  # unknown in some exports
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, validators=BOUNDED)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-closed_at", "-created_at"]
        constraints: ClassVar = [
            unique_when_set("external_id", "deal_external_id_unique", DUPLICATE_ID),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="deal_closed_has_date",
                violation_error_message=_("A won or lost deal needs its close date."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="deal_amount_positive"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "status", "closed_at"], name="deal_closed_idx"),
            models.Index(fields=["organization", "company", "closed_at"], name="deal_company_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id or f"#{self.pk}"


class Activity(OrgScopedModel):
    """A call, e-mail, meeting or note on a lead or a deal. The first sales activity
    after a lead became an MQL gives its response time."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")

    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("lead"),
    )
    deal = models.ForeignKey(
        Deal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("deal"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, validators=BOUNDED)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering: ClassVar = ["-at"]
        verbose_name_plural = _("activities")
        constraints: ClassVar = [
            unique_when_set("external_id", "activity_external_id_unique", DUPLICATE_ID),
            models.CheckConstraint(
                condition=Q(lead__isnull=False) | Q(deal__isnull=False),
                name="activity_has_subject",
                violation_error_message=_("An activity belongs to a lead or a deal."),
            ),
        ]
        indexes: ClassVar = [
            # Covering: a lead's first call, e-mail or meeting (the response time) without the heap.
            models.Index(
                fields=["organization", "lead", "at"], include=["kind"], name="activity_first_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
