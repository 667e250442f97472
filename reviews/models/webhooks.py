"""Webhooks: the endpoints an organisation's admins register, and each delivery of an event
to one of them (the log an admin reads and resends from)."""

from __future__ import annotations

import json
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from reviews.addresses import MAX_URL_LENGTH, literal_address, refused_reason, url_problem
from reviews.models.notifications import Event
from smarketing.lib.events import Kind

# An organisation's endpoints: a handful of tools listen, not hundreds; each costs a delivery
# per event.
MAX_ENDPOINTS = 10
PING = "ping"


class WebhookEvent(models.TextChoices):
    """The happenings an endpoint may subscribe to; each is the Standard Webhooks `type` of
    its deliveries."""

    SLA_BREACH = Kind.SLA_BREACH, _("An SLA breach was found")
    OBJECTIVE_STATUS = Kind.OBJECTIVE_STATUS, _("An objective's status changed")
    PLAN_ACTIVATED = Kind.PLAN_ACTIVATED, _("A plan was activated")
    PLAN_AT_RISK = Kind.PLAN_AT_RISK, _("A plan is at risk (its assumptions drift)")
    KPIS_UPDATED = Kind.KPIS_UPDATED, _("The KPIs were recomputed")
    IMPORT_FINISHED = Kind.IMPORT_FINISHED, _("An import finished")


URL_PROBLEMS = {
    "too_long": _("At most %(n)s characters."),
    "invalid": _("Enter a valid URL."),
    "scheme": _("The URL must start with http:// or https://."),
    "credentials": _(
        "Leave the user name and password out of the URL: the receiver checks the signature."
    ),
    "host": _("The URL needs a host name."),
    "fragment": _("Leave out the part after #: it is never sent."),
}


def validate_webhook_url(url: str) -> None:
    """A webhook URL's shape; an address written in it must be public unless private ones are
    allowed (a host name is resolved and checked at each delivery)."""
    problem = url_problem(url)
    if problem:
        raise ValidationError(URL_PROBLEMS[problem], code=problem, params={"n": MAX_URL_LENGTH})
    address = literal_address(urlsplit(url).hostname or "")
    if address is not None and not settings.WEBHOOKS_ALLOW_PRIVATE:
        reason = refused_reason(address)
        if reason:
            raise ValidationError(
                _("Deliveries never go to %(address)s: it is not a public address."),
                code="private",
                params={"address": str(address)},
            )


def validate_webhook_events(events: list[str]) -> None:
    """At least one event, each a known one; the message lists the known ones."""
    if not events:
        raise ValidationError(_("Choose at least one event."), code="required")
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            _("Unknown event %(event)s: choose among %(known)s."),
            code="unknown",
            params={"event": str(unknown[0])[:64], "known": ", ".join(WebhookEvent.values)},
        )


class WebhookEndpoint(OrgScopedModel):
    """A URL of another tool that hears of the organisation's events it subscribed to, each
    delivery signed with the endpoint's secret (Standard Webhooks). It is disabled, and the
    admins told, once its deliveries have failed for a day with no success since."""

    url = models.CharField(_("URL"), max_length=MAX_URL_LENGTH, validators=[validate_webhook_url])
    events = ArrayField(
        models.CharField(max_length=64),
        verbose_name=_("events"),
        validators=[validate_webhook_events],
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    # "whsec_" and base64: kept to sign each delivery, shown to the admin once, at creation.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # The first failure with no success since: a day of it disables the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="webhook_endpoint_org_idx"),
        ]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        self.events = sorted(set(self.events or []))


class WebhookDelivery(OrgScopedModel):
    """One event sent to one endpoint (or a test ping): its signed body, and how its tries
    went. Made once per endpoint and event; a resend tries the same delivery again, with the
    same `webhook-id`, so the receiver can tell it has it already."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=64)
    # The `webhook-id`: random, so unique without a constraint.
    message_id = models.CharField(max_length=64, editable=False)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The first try of this round (the delivery's first, or its resend): retries stop a day
    # after it.
    started_at = models.DateTimeField(default=timezone.now)
    tries_this_round = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "endpoint", "event"],
                condition=models.Q(event__isnull=False),
                name="webhook_delivery_once",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log_idx"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["created_at"], name="webhook_delivery_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.endpoint_id} ({self.status})"

    def body(self) -> bytes:
        """The JSON sent, byte for byte the text signed."""
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False).encode()
