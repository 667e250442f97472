"""Happenings recorded once, the notifications they gave each member, and each member's
choices of how to be told."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from smarketing.lib.events import Kind


class Topic(models.TextChoices):
    """What a member chooses to hear of, in the app and by e-mail."""

    SLA_BREACH = "sla_breach", _("SLA breaches")
    OBJECTIVE = "objective", _("Objectives at risk or off track")
    DRIFT = "drift", _("Plan assumptions drifting")
    AGREEMENT = "agreement", _("Agreements to sign or renew")
    PERSONA = "persona", _("Buyer personas awaiting approval")
    IMPORT = "import", _("Imports finished or failed")
    PULSE = "pulse", _("The alignment pulse")
    WEBHOOKS = "webhooks", _("Webhooks disabled after a day of failures")


# The happenings people are told of, by topic; the others (a plan activated, KPIs updated)
# go to webhooks only.
KIND_TOPIC: dict[str, Topic] = {
    Kind.SLA_BREACH: Topic.SLA_BREACH,
    Kind.SLA_ESCALATED: Topic.SLA_BREACH,
    Kind.OBJECTIVE_STATUS: Topic.OBJECTIVE,
    Kind.PLAN_AT_RISK: Topic.DRIFT,
    Kind.AGREEMENT_SIGNATURE: Topic.AGREEMENT,
    Kind.AGREEMENT_RENEWAL: Topic.AGREEMENT,
    Kind.PERSONA_APPROVAL: Topic.PERSONA,
    Kind.IMPORT_FINISHED: Topic.IMPORT,
    Kind.IMPORT_FAILED: Topic.IMPORT,
    Kind.PULSE_OPEN: Topic.PULSE,
    Kind.WEBHOOK_DISABLED: Topic.WEBHOOKS,
}


class Event(OrgScopedModel):
    """Something that happened in an organisation, recorded once per key in the
    transaction that made it happen; then told to its members and webhooks."""

    kind = models.CharField(_("kind"), max_length=64)
    key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    link = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # Set once its e-mails went and its webhook deliveries were made: the sweep takes up
    # those a lost task left.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-occurred_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="event_key_unique"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["occurred_at"],
                name="event_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["organization", "kind", "occurred_at"], name="event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Notification(OrgScopedModel):
    """One member told of one event: once, whatever retries happen (the pair is unique)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Leased by the run e-mailing it (given back if the send fails, let go when the lease
    # ends if the run died), then stamped once it went: at least once, never twice.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # How the member wanted to hear of this topic when it was made.
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "event", "user"], name="notification_once"
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["organization", "user", "-created_at"],
                name="notification_inbox_idx",
                condition=models.Q(in_app=True),
            ),
            models.Index(
                fields=["organization", "user"],
                name="notification_unread_idx",
                condition=models.Q(in_app=True, read_at__isnull=True),
            ),
            models.Index(
                fields=["created_at"],
                name="notification_unsent_idx",
                condition=models.Q(by_email=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.user_id}"


class Preferences(OrgScopedModel):
    """How one member of one organisation wants to be told: per topic in the app and by
    e-mail, the weekly digest, and the language of their e-mails. A member without a row
    has the defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The topics turned off, so that a topic added later is on for everyone until they
    # turn it off too.
    muted_in_app = ArrayField(
        models.CharField(max_length=32, choices=Topic.choices), default=list, blank=True
    )
    muted_by_email = ArrayField(
        models.CharField(max_length=32, choices=Topic.choices), default=list, blank=True
    )
    weekly_digest = models.BooleanField(_("weekly digest"), default=True)
    language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "user"], name="preferences_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organization_id}"

    @property
    def in_app(self) -> list[str]:
        """The topics shown in the app, in the order they are listed."""
        return [topic for topic in Topic.values if topic not in self.muted_in_app]

    @in_app.setter
    def in_app(self, topics: list[str]) -> None:
        self.muted_in_app = [topic for topic in Topic.values if topic not in topics]

    @property
    def by_email(self) -> list[str]:
        """The topics e-mailed, in the order they are listed."""
        return [topic for topic in Topic.values if topic not in self.muted_by_email]

    @by_email.setter
    def by_email(self, topics: list[str]) -> None:
        self.muted_by_email = [topic for topic in Topic.values if topic not in topics]
