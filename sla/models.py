"""The Sales-Marketing SLA: the organisation's business calendar (the time its response
times count), and, as the issue goes on, the agreement both managers sign."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

import holidays
from babel import Locale
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from sla.calendar import WorkingTime
from smarketing.lib.bounds import check_period, validate_business_date

MAX_EXTRA_HOLIDAYS = 100
WEEKDAYS = [1, 2, 3, 4, 5]


# Names in the IANA database that are no place's time: the host's own, and a placeholder.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
MIN_WORKING_DAY = timedelta(hours=1)


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """The IANA time zones an organisation may work in."""
    return frozenset(zoneinfo.available_timezones() - NOT_ZONES)


@lru_cache(maxsize=1)
def holiday_countries() -> frozenset[str]:
    """The ISO 3166 codes whose public holidays the `holidays` package knows: those of
    CLDR's territories (its alias UK is GB's)."""
    territories = Locale("en").territories
    return frozenset(code for code in holidays.list_supported_countries() if code in territories)


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(
            _("%(name)s is not a time zone of the IANA database (like Europe/Rome)."),
            params={"name": name[:64]},
            code="time_zone",
        )


def validate_holidays_country(code: str) -> None:
    if code and code not in holiday_countries():
        raise ValidationError(
            _("No public holidays are known for %(code)s: give an ISO 3166 country code like IT."),
            params={"code": code[:8]},
            code="holidays_country",
        )


@lru_cache(maxsize=256)
def public_holidays(country: str, first_year: int, last_year: int) -> frozenset[date]:
    """The country's public holidays of those years (the `holidays` package)."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=range(first_year, last_year + 1)))


class BusinessCalendar(OrgScopedModel):
    """When the organisation works: its time zone, working days (ISO weekdays, Monday 1),
    working hours, and holidays (its country's public ones and its own dates). The SLA's
    response times count only this time."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    working_days = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        size=7,
        default=list,
        verbose_name=_("working days"),
    )
    day_start = models.TimeField(_("working day starts"), default=time(9))
    day_end = models.TimeField(_("working day ends"), default=time(18))
    holidays_country = models.CharField(
        _("public holidays of"), max_length=8, blank=True, validators=[validate_holidays_country]
    )
    extra_holidays = ArrayField(
        models.DateField(validators=[validate_business_date]),
        size=MAX_EXTRA_HOLIDAYS,
        default=list,
        blank=True,
        verbose_name=_("the organisation's own holidays"),
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="sla_calendar_one_per_org"),
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")),
                name="sla_calendar_day_in_order",
                violation_error_message=_("A working day ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.time_zone}"

    def clean(self) -> None:
        days = self.working_days or []
        if not days:
            raise ValidationError({"working_days": _("Name at least one working day.")})
        if len(set(days)) != len(days):
            raise ValidationError({"working_days": _("Name each working day once.")})
        if len(set(self.extra_holidays or [])) != len(self.extra_holidays or []):
            raise ValidationError({"extra_holidays": _("Name each holiday once.")})
        self._clean_hours()

    def _clean_hours(self) -> None:
        start, end = self.day_start, self.day_end
        if not isinstance(start, time) or not isinstance(end, time):
            return  # the fields' own validation names what is wrong
        for name, moment in (("day_start", start), ("day_end", end)):
            if moment.second or moment.microsecond:
                raise ValidationError({name: _("Give working hours to the minute, like 09:30.")})
        length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
        if timedelta(0) < length < MIN_WORKING_DAY:
            raise ValidationError({"day_end": _("A working day lasts at least an hour.")})

    def working_time(self, first_year: int, last_year: int) -> WorkingTime:
        """The calendar as sla.calendar computes with it, with the holidays of those years."""
        own = frozenset(self.extra_holidays or [])
        return WorkingTime(
            zone=zoneinfo.ZoneInfo(self.time_zone),
            working_days=frozenset(self.working_days or WEEKDAYS),
            day_start=self.day_start,
            day_end=self.day_end,
            holidays=public_holidays(self.holidays_country, first_year, last_year) | own,
        )


class Side(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    LEADERSHIP = "leadership", _("Leadership (countersignature)")


class RejectionReason(models.TextChoices):
    """Why sales sends an MQL back to marketing: the organisation's list."""

    NOT_IDEAL = "not_ideal_customer", _("Not the ideal customer")
    NO_BUDGET = "no_budget", _("No budget")
    BAD_CONTACT = "bad_contact_data", _("Bad contact data")
    DUPLICATE = "duplicate", _("Duplicate")
    ALREADY_CUSTOMER = "already_customer", _("Already a customer")
    OTHER = "other", _("Other")


def default_reasons() -> list[str]:
    return list(RejectionReason.values)


class Agreement(OrgScopedModel):
    """The Sales-Marketing agreement of one period (a year by default): what each team commits
    to doing for the other. Its terms live in versions: the first, then one per amendment."""

    first_month = models.DateField(_("first month"), validators=[validate_business_date])
    last_month = models.DateField(_("last month"), validators=[validate_business_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Its managers were reminded to renew it (30 days before its end): once.
    renewal_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-first_month"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "first_month"], name="sla_agreement_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")),
                name="sla_agreement_period_in_order",
                violation_error_message=_("An agreement's period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_month:%Y-%m} to {self.last_month:%Y-%m}"

    def clean(self) -> None:
        if self.first_month and self.last_month and self.last_month < self.first_month:
            raise ValidationError({"last_month": _("The period ends before it starts.")})
        check_period(self.first_month, self.last_month, field="last_month")


class AgreementVersion(OrgScopedModel):
    """One version of an agreement's terms. Marketing commits to MQLs per month (in total and
    per channel) of a quality (the share sales accepts; the share that fits an approved
    buyer persona); sales to a first touch within so many business hours of the hand-off,
    so many attempts within so many business days, and a decision on each MQL within so many
    business days. A version is in force once a marketing and a sales manager have signed it;
    from their first signature it never changes (an amendment is the next version)."""

    TERMS: ClassVar = [
        "mqls_per_month", "channel_mqls", "acceptance_rate", "fit_share", "shortfall_tolerance",
        "first_touch_hours", "attempts", "attempts_days", "decision_days", "rejection_reasons",
    ]  # fmt: skip

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    number = models.PositiveIntegerField(default=1)
    reason = models.TextField(_("reason for the amendment"), max_length=2000, blank=True)
    # Marketing's commitments.
    mqls_per_month = models.PositiveIntegerField(
        _("MQLs per month"), validators=[MaxValueValidator(10_000_000)]
    )
    channel_mqls = models.JSONField(_("MQLs per month per channel"), default=dict, blank=True)
    acceptance_rate = models.DecimalField(
        _("share of MQLs sales accepts (%)"), max_digits=5, decimal_places=2, default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    fit_share = models.DecimalField(
        _("share of MQLs that fit a buyer persona (%)"), max_digits=5, decimal_places=2,
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    shortfall_tolerance = models.DecimalField(
        _("tolerance before a month's MQLs are a breach (%)"), max_digits=5, decimal_places=2,
        default=10, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    # Sales' commitments.
    first_touch_hours = models.DecimalField(
        _("first touch within (business hours)"), max_digits=6, decimal_places=2, default=4,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(720)],
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField(
        _("attempts at least"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    attempts_days = models.PositiveSmallIntegerField(
        _("attempts within (business days)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )  # fmt: skip
    decision_days = models.PositiveSmallIntegerField(
        _("accept or reject within (business days)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )  # fmt: skip
    rejection_reasons = ArrayField(
        models.CharField(max_length=32, choices=RejectionReason.choices),
        default=default_reasons,
        size=len(RejectionReason.values),
        verbose_name=_("reasons a rejection may give"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    in_force_at = models.DateTimeField(null=True, blank=True)  # both sides signed
    superseded_at = models.DateTimeField(null=True, blank=True)  # a later version came into force

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agreement", "organization", "number"], name="sla_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"

    def clean(self) -> None:
        if not isinstance(self.channel_mqls, dict) or not all(
            isinstance(k, str)
            and isinstance(v, int)
            and not isinstance(v, bool)
            and 0 <= v <= 10_000_000
            for k, v in self.channel_mqls.items()
        ):
            raise ValidationError(
                {"channel_mqls": _('Give MQLs per channel as {"channel code": whole number}.')}
            )
        if sum(self.channel_mqls.values()) > (self.mqls_per_month or 0):
            raise ValidationError(
                {"channel_mqls": _("The channels' MQLs add up to more than the month's total.")}
            )
        if not self.rejection_reasons:
            raise ValidationError({"rejection_reasons": _("Keep at least one reason.")})
        if self.number > 1 and not self.reason.strip():
            raise ValidationError({"reason": _("Say why the agreement is amended.")})

    def terms(self) -> dict[str, Any]:
        """The figures signed, as plain data: what the fingerprint is taken of."""
        values = {name: getattr(self, name) for name in self.TERMS}
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


class Signature(OrgScopedModel):
    """One side's signature of one version: who, when, and the fingerprint (SHA-256) of the
    exact terms and period they signed. An admin may sign for either team and the signature
    says so; leadership may countersign."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    side = models.CharField(max_length=12, choices=Side.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(max_length=150)  # as it was when signing
    stood_in_as_admin = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["version", "organization", "side"], name="sla_signature_one_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.side}: {self.by_name}"


class Decision(OrgScopedModel):
    """Sales' decision on one hand-off of one lead: accepted (it moved on in the funnel), or
    rejected with a reason (it went back to marketing, recycled or disqualified)."""

    class Outcome(models.TextChoices):
        # Not a bare "Rejected": the CRM's imports count rows under that word (plural).
        ACCEPTED = "accepted", _("Accepted by sales")
        REJECTED = "rejected", _("Rejected by sales")

    # The database's own key, ON DELETE CASCADE, is made by the migration (as personas'
    # LeadFit's): the CRM deletes leads without knowing this table.
    lead = models.ForeignKey(
        "crm.Lead", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
        db_index=False,
    )  # fmt: skip
    handoff_at = models.DateTimeField()  # the hand-off decided on: when the lead reached the stage
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=32, choices=RejectionReason.choices, blank=True)
    note = models.TextField(max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "lead", "handoff_at"], name="sla_decision_once_per_handoff"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "at"], name="sla_decision_at_idx"),
            # The database's cascade from a deleted lead finds its decisions by it.
            models.Index(fields=["lead"], name="sla_decision_lead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.outcome}"


class Handoff(OrgScopedModel):
    """What the SLA says of one hand-off of one lead, as the last recompute found it (stored
    by sla.services.compliance's set-based statement, never by hand): the agreement and
    version it is judged by, the first touch and its response in business seconds, the
    attempts within their window, sales' decision (recorded in the queue, or read from the
    lead leaving the hand-off stage), the deadlines, and which commitments it broke.
    Only hand-offs an agreement covers are stored."""

    # The database's own key, ON DELETE CASCADE (the migration): the CRM deletes leads in bulk.
    lead = models.ForeignKey(
        "crm.Lead", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
        db_index=False,
    )  # fmt: skip
    handoff_at = models.DateTimeField()
    month = models.DateField()  # the hand-off's month in the organisation's time zone
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="+", db_constraint=False,
        db_index=False,
    )  # fmt: skip
    channel_id = models.BigIntegerField(null=True)  # the lead's, as recomputed
    owner_id = models.BigIntegerField(null=True)  # the lead's owner (a user), as recomputed
    fits = models.BooleanField(null=True)  # fits an approved persona; None: not measured
    first_touch_at = models.DateTimeField(null=True)
    response_seconds = models.IntegerField(null=True)  # business seconds to the first touch
    touch_due = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)  # touches within their window
    attempts_due = models.DateTimeField()
    decision = models.CharField(max_length=8, blank=True)  # Decision.Outcome, or ""
    decision_at = models.DateTimeField(null=True)
    reason = models.CharField(max_length=32, blank=True)
    decision_due = models.DateTimeField()
    won = models.BooleanField(default=False)  # a deal of the lead won since the hand-off
    late_touch = models.BooleanField(default=False)  # breaches, as of computed_at
    few_attempts = models.BooleanField(default=False)
    late_decision = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    # The next of its deadlines still to pass that could change it (None: all passed, or
    # none matters any more): the beat's sweep judges it again then.
    next_due = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            # The lead first: the database's cascade from a deleted lead finds its rows by it.
            models.UniqueConstraint(
                fields=["lead", "organization", "handoff_at"], name="sla_handoff_once"
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["organization", "agreement", "month"], name="sla_handoff_month_idx"
            ),
            models.Index(fields=["organization", "handoff_at"], name="sla_handoff_at_idx"),
            # The sweep's: the clocks whose next deadline has come, in every organisation.
            models.Index(
                fields=["next_due"],
                name="sla_handoff_next_due_idx",
                condition=Q(next_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} at {self.handoff_at:%Y-%m-%d %H:%M}"


class Scorecard(OrgScopedModel):
    """An agreement's compliance figures of one month (`month`), or to date (`month` None),
    in all channels or in one (`channel_id`, with `by_channel`): aggregated from the stored
    hand-offs by the recompute, read by the pages, the API and the dashboards as they are."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(null=True)
    by_channel = models.BooleanField(default=False)
    channel_id = models.BigIntegerField(null=True)
    handoffs = models.PositiveIntegerField(default=0)  # hand-offs to sales
    leads = models.PositiveIntegerField(default=0)  # MQLs delivered: each lead once
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    decided_in_time = models.PositiveIntegerField(default=0)
    decision_due = models.PositiveIntegerField(default=0)  # decided, or past its deadline
    measured_fit = models.PositiveIntegerField(default=0)
    fits = models.PositiveIntegerField(default=0)
    touched = models.PositiveIntegerField(default=0)
    within_window = models.PositiveIntegerField(default=0)
    touch_due = models.PositiveIntegerField(default=0)  # touched, or past its deadline
    response_p50 = models.IntegerField(null=True)  # business seconds
    response_p90 = models.IntegerField(null=True)
    attempts_met = models.PositiveIntegerField(default=0)
    attempts_due = models.PositiveIntegerField(default=0)  # past their window, or decided in it
    # Conversion by speed: touched within the window or not, and of those how many won.
    won_within = models.PositiveIntegerField(default=0)
    won_late = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "agreement", "month", "by_channel", "channel_id"],
                name="sla_scorecard_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.month or 'to date'}"


class Breach(OrgScopedModel):
    """A commitment broken, recorded once (its key): a lead not touched in time, without its
    attempts, not decided in time (sales); a month's MQLs behind the commitment by more than
    its tolerance (marketing). Its owner is told at once, their manager after a delay if it
    is still open."""

    class Kind(models.TextChoices):
        FIRST_TOUCH = "first_touch", _("Not touched in time")
        ATTEMPTS = "attempts", _("Too few attempts")
        DECISION = "decision", _("Not accepted or rejected in time")
        VOLUME = "volume", _("MQLs behind the commitment")

    key = models.CharField(max_length=80)
    side = models.CharField(max_length=12, choices=Side.choices[:2])
    kind = models.CharField(max_length=12, choices=Kind.choices)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    # A lead's breach goes with the lead (the migration's key, ON DELETE CASCADE).
    lead = models.ForeignKey(
        "crm.Lead", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
        null=True, db_index=False,
    )  # fmt: skip
    handoff_at = models.DateTimeField(null=True)
    month = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    due = models.DateTimeField()
    found_at = models.DateTimeField(default=timezone.now)
    # MQLs short of the commitment (volume): delivered, and the least the tolerance allowed.
    delivered = models.PositiveIntegerField(null=True)
    expected = models.PositiveIntegerField(null=True)
    resolved_at = models.DateTimeField(null=True)  # touched, or decided, after all
    notified_at = models.DateTimeField(null=True)
    escalated_at = models.DateTimeField(null=True)

    class Meta:
        ordering: ClassVar = ["-due"]
        verbose_name_plural = _("breaches")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="sla_breach_once"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "side", "due"], name="sla_breach_side_idx"),
            models.Index(
                fields=["lead"], name="sla_breach_lead_idx", condition=Q(lead__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ComplianceMark(OrgScopedModel):
    """The organisation's hand-offs from `since` on wait to be judged again (a change, a
    signature, a deadline passing): one row an organisation, its `since` only moving back,
    cleared by the run that read it unless marked again meanwhile (`marked_at`)."""

    since = models.DateTimeField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="sla_mark_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} since {self.since}"
