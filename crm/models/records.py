"""CRM records: channels, campaigns, companies, leads and their stage history, deals,
activities, and the imports that bring them in."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from orgs.models import OrgScopedModel
from smarketing.lib.bounds import check_period, validate_business_date

BOUNDED = [validate_business_date]  # every date a user gives lies within smarketing.lib.bounds
MONEY_DIGITS, MONEY_PLACES = 16, 2  # numeric(16, 2): 14 digits before the point, 2 after


def money_field(verbose_name: StrOrPromise) -> models.DecimalField:
    """An optional amount of money: 14 digits before the point, 2 after."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


def _unique_when_set(field: str, name: str, message: StrOrPromise) -> models.UniqueConstraint:
    """`field` is unique within the organisation whenever it is not blank."""
    return models.UniqueConstraint(
        fields=["organization", field],
        condition=~Q(**{field: ""}),
        name=name,
        violation_error_message=message,
    )


DUPLICATE_ID = _("A record with this external id already exists.")


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
            _unique_when_set("external_id", "campaign_external_id_unique", DUPLICATE_ID),
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
            _unique_when_set("external_id", "company_external_id_unique", DUPLICATE_ID)
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
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("company")
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
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
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("campaign")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(
        _("entered the funnel"), default=timezone.now, validators=BOUNDED
    )
    stage = models.SlugField(_("stage"), max_length=32)
    stage_changed_at = models.DateTimeField(_("stage since"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            _unique_when_set("external_id", "lead_external_id_unique", DUPLICATE_ID),
            _unique_when_set(
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

    # Indexed by stage_change_lead_idx (lead, at).
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    from_stage = models.CharField(max_length=32, blank=True)
    to_stage = models.CharField(max_length=32)
    at = models.DateTimeField(validators=BOUNDED)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)

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
    pipeline_stage = models.SlugField(_("pipeline stage"), max_length=32, blank=True)
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
            _unique_when_set("external_id", "deal_external_id_unique", DUPLICATE_ID),
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
            _unique_when_set("external_id", "activity_external_id_unique", DUPLICATE_ID),
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


class ImportPreset(OrgScopedModel):
    """A saved column mapping, to import the next export of the same CRM in one click."""

    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="import_preset_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(OrgScopedModel):
    """One file being (or having been) imported: its mapping, progress and summary."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for its mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("records"), max_length=16, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_path = models.CharField(max_length=500)
    mapping = models.JSONField(_("mapping"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Records imported without the owner the file named, and those names (most rows first).
    unassigned = models.PositiveIntegerField(default=0)
    unassigned_owners = models.JSONField(default=dict, blank=True)
    channels_created = models.JSONField(default=list, blank=True)
    sales_reps_created = models.JSONField(default=list, blank=True)
    # The span of the imported records' dates: the dashboard period that shows them.
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_report = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="import_job_created_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def months(self) -> tuple[str, str] | None:
        """The first and last month ('YYYY-MM') of the imported records' dates."""
        if self.first_date is None or self.last_date is None:
            return None
        return self.first_date.strftime("%Y-%m"), self.last_date.strftime("%Y-%m")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


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
