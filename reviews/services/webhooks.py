"""Webhooks: endpoints registered, changed and removed; deliveries made for each event an
endpoint subscribed to (once per endpoint and event), tried after commit, signed after the
Standard Webhooks specification, tried again with growing waits for a day, and an endpoint
failing for a day disabled with its organisation's admins told.

A try claims its delivery in the database before it sends (moving its next try past the
receiver's timeout), so two workers holding the same message, a retry and the beat's sweep
never send one delivery twice at once; whatever a lost message leaves, the sweep takes up.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from orgs.models import Membership, Organization, Role, User
from reviews.models import (
    MAX_ENDPOINTS,
    PING,
    Event,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from reviews.retries import next_try_at
from reviews.sending import Answer, post
from smarketing.lib.enqueue import enqueue_on_commit, send_once
from smarketing.lib.events import Happening, Kind, announce

DELIVER_TASK = "reviews.tasks.webhook_deliver_task"
SECRET_BYTES = 32  # the specification asks for 24 to 64
# How long past the receiver's timeout a try holds its delivery: one whose worker died
# mid-try is taken up again by the sweep after that.
CLAIM_MARGIN = timedelta(seconds=60)
# A retry may run this much before its time (the worker's clock against the database's).
EARLY = timedelta(seconds=2)
# Deliveries the sweep sends a run, and finished deliveries the purge deletes a statement.
SWEEP_BATCH = 500
PURGE_BATCH = 5000
# Why a delivery was stopped, as its log says (reviews/webhook_views.py words them).
STOPPED_DISABLED = "endpoint_disabled"
STOPPED_TURNED_OFF = "endpoint_turned_off"
PUBLISHED = frozenset(WebhookEvent.values)


@dataclass(frozen=True)
class Tried:
    """What one run of a delivery's task did: nothing (not due, or another run has it), or a
    try that succeeded, or failed with its next try at `retry_at` (None: given up)."""

    tried: bool
    succeeded: bool = False
    retry_at: datetime | None = None


# --- endpoints ---


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_endpoint_create(
    *,
    organization: Organization,
    by: User | None,
    url: str,
    events: list[str],
    description: str = "",
) -> WebhookEndpoint:
    """Register an endpoint with a new secret (the caller shows it once); at most
    MAX_ENDPOINTS an organisation."""
    with transaction.atomic():
        # One registration at a time per organisation, so two cannot both take the last place.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        if WebhookEndpoint.objects.for_org(organization).count() >= MAX_ENDPOINTS:
            raise ValidationError(
                _("An organisation has at most %(n)s webhook endpoints: remove one first.")
                % {"n": MAX_ENDPOINTS}
            )
        endpoint = WebhookEndpoint(
            organization=organization, url=url.strip(), events=list(events),
            description=description.strip(), secret=new_secret(), created_by=by,
        )  # fmt: skip
        endpoint.full_clean()
        endpoint.save()
    return endpoint


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Enabling an endpoint again forgets its failures; turning one
    off stops its waiting deliveries (a resend tries them again once it is on). Applied to
    the endpoint as it is now (a try may have disabled it since the caller read it)."""
    with transaction.atomic():
        fresh = _locked(endpoint.pk)  # before its deliveries, as a try locks them
        if fresh is None:
            raise ValidationError(_("This endpoint was removed meanwhile."))
        if url is not None:
            fresh.url = url.strip()
        if events is not None:
            fresh.events = list(events)
        if description is not None:
            fresh.description = description.strip()
        if active is True and not fresh.active:
            fresh.active, fresh.failing_since, fresh.disabled_at = True, None, None
        elif active is False and fresh.active:
            fresh.active = False
            _stop_waiting(fresh, STOPPED_TURNED_OFF)
        fresh.full_clean()
        fresh.save()
    return fresh


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log."""
    endpoint.delete()


def webhook_endpoint_test(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """Send the endpoint a `ping` after commit, even while it is disabled (to see it works
    before enabling it again). Tried once; its result counts for nothing else."""
    slug = Organization.objects.values_list("slug", flat=True).get(pk=endpoint.organization_id)
    delivery = WebhookDelivery.objects.create(
        organization_id=endpoint.organization_id, endpoint=endpoint, kind=PING,
        message_id=_message_id(), payload=_payload(PING, now, {}, slug),
        created_at=now, started_at=now, next_attempt_at=now,
    )  # fmt: skip
    enqueue_on_commit(DELIVER_TASK, delivery.pk)
    return delivery


def webhook_delivery_resend(*, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Try the delivery again now, with the same `webhook-id`; if it fails, retried for a day
    from now as a new one would be."""
    if not delivery.endpoint.active and delivery.kind != PING:
        raise ValidationError(_("The endpoint is disabled: enable it again to resend."))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, started_at=now, tries_this_round=0,
        next_attempt_at=now,
    )  # fmt: skip
    enqueue_on_commit(DELIVER_TASK, delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- deliveries ---


def webhook_deliveries_create(*, organization_id: int, events: list[Event], now: datetime) -> int:
    """A delivery of each event to each active endpoint of the organisation subscribed to its
    kind (never two of one event to one endpoint), sent after commit; how many were made.
    Called in the transaction that marks the events dispatched."""
    published = [event for event in events if event.kind in PUBLISHED]
    if not published:
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(organization_id=organization_id, active=True).only(
            "pk", "events"
        )
    )
    if not endpoints:
        return 0
    slug = Organization.objects.values_list("slug", flat=True).get(pk=organization_id)
    rows = [
        _delivery(organization_id, endpoint.pk, event, slug, now)
        for event in published
        for endpoint in endpoints
        if event.kind in endpoint.events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    # Those this call inserted (a conflict kept the other's message id), found through the
    # unique index on (organisation, endpoint, event).
    made = list(
        WebhookDelivery.objects.filter(
            organization_id=organization_id,
            endpoint_id__in={r.endpoint_id for r in rows},
            event_id__in={r.event_id for r in rows},
            message_id__in=[r.message_id for r in rows],
        ).values_list("pk", flat=True)
    )
    for pk in made:
        enqueue_on_commit(DELIVER_TASK, pk)
    return len(made)


def webhook_delivery_attempt(*, delivery_id: int, now: datetime) -> Tried:
    """Try the delivery once if it is due and nobody else is trying it."""
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Tried(tried=False)
    endpoint = delivery.endpoint
    answer = post(
        endpoint.url, delivery.body(), signed_headers(delivery, endpoint.secret, now),
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
    )  # fmt: skip
    return _record(delivery, answer, now)


def signed_headers(delivery: WebhookDelivery, secret: str, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers of one try, signed over its id, time and body."""
    at = at.astimezone(UTC)
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(
            delivery.message_id, at, delivery.body().decode()
        ),
    }


def retry_countdown(tried: Tried, now: datetime) -> int | None:
    """Seconds until the next try, if a Celery retry should make it; None when the sweep
    will. A Redis broker hands a message held longer than its visibility timeout to a second
    worker, so longer waits are left to the beat's sweep, which finds the delivery due."""
    if tried.retry_at is None:
        return None
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    countdown = max(0, int((tried.retry_at - now).total_seconds()))
    return countdown if countdown <= visibility // 2 else None


def webhooks_sweep(*, now: datetime) -> int:
    """Send the deliveries due (waiting longer than a retry holds, or whose retry was lost);
    how many were sent. One already sent within the minute is not sent again."""
    due = list(
        WebhookDelivery.objects.filter(
            Q(endpoint__active=True) | Q(kind=PING),
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(send_once(f"webhook-delivery:{pk}", DELIVER_TASK, pk, delay=0) for pk in due)


def webhook_deliveries_purge(*, now: datetime) -> int:
    """Delete the finished deliveries older than WEBHOOKS_LOG_DAYS; how many."""
    before = now - timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    old = WebhookDelivery.objects.filter(created_at__lt=before).exclude(
        status=WebhookDelivery.Status.PENDING
    )
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        deleted += WebhookDelivery.objects.filter(pk__in=batch).delete()[0]


# --- a try, step by step ---


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Count a try of the delivery and hold it past the receiver's timeout; None if it is
    not due, finished, its endpoint disabled, or another run holds it."""
    held_until = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS) + CLAIM_MARGIN
    claimed = WebhookDelivery.objects.filter(
        Q(endpoint__active=True) | Q(kind=PING),
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now + EARLY,
    ).update(
        next_attempt_at=held_until, last_attempt_at=now, attempts=F("attempts") + 1,
        tries_this_round=F("tries_this_round") + 1,
    )  # fmt: skip
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _record(delivery: WebhookDelivery, answer: Answer, now: datetime) -> Tried:
    """Keep what the try gave; decide the next try, or give up; count the endpoint's health.
    The endpoint is locked before its delivery, as everywhere (no deadlock between two)."""
    retry_at = None
    if not answer.succeeded and delivery.kind != PING:
        retry_at = next_try_at(
            started_at=delivery.started_at, tries=delivery.tries_this_round, now=now,
            waits=settings.WEBHOOKS_RETRY_SECONDS, give_up_after=_a_day(),
        )  # fmt: skip
    with transaction.atomic():
        endpoint = None
        if delivery.kind != PING:
            endpoint = _locked(delivery.endpoint_id)
        current = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if current is None:
            return Tried(tried=True, succeeded=answer.succeeded)  # its endpoint was removed
        current.response_status, current.response_excerpt = answer.status, answer.excerpt
        current.error, current.duration_ms = answer.error, answer.milliseconds
        if current.status == WebhookDelivery.Status.PENDING:  # not stopped meanwhile
            current.status = _status(answer, retry_at)
            current.next_attempt_at = retry_at
            if answer.succeeded:
                current.succeeded_at = now
        current.save()
        given_up = not answer.succeeded and current.status == WebhookDelivery.Status.FAILED
        since = current.started_at if given_up else None
        if endpoint is not None and _count_health(endpoint, answer.succeeded, now, since):
            return Tried(tried=True, retry_at=None)  # disabled: nothing more is sent
    return Tried(tried=True, succeeded=answer.succeeded, retry_at=current.next_attempt_at)


def _status(answer: Answer, retry_at: datetime | None) -> str:
    if answer.succeeded:
        return WebhookDelivery.Status.SUCCEEDED
    return WebhookDelivery.Status.PENDING if retry_at else WebhookDelivery.Status.FAILED


def _locked(endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()


def _count_health(
    endpoint: WebhookEndpoint, succeeded: bool, now: datetime, given_up_since: datetime | None
) -> bool:
    """A success clears the endpoint's failures; a failure starts them, or disables the
    endpoint once they started a day ago with no success since, or once a delivery was
    given up (it failed for a day) with no success since it started. True if disabled."""
    if succeeded:
        endpoint.failing_since, endpoint.last_success_at = None, now
        endpoint.save(update_fields=["failing_since", "last_success_at"])
        return False
    if not endpoint.active:
        return False
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
    failed_a_day = endpoint.failing_since <= now - _a_day()
    no_success = endpoint.last_success_at is None or endpoint.last_success_at < (
        given_up_since or now
    )
    if not (failed_a_day or (given_up_since is not None and no_success)):
        return False
    _disable(endpoint, now)
    return True


def _disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable a failing endpoint, stop its waiting deliveries and tell its admins (a
    notification in the app and by e-mail, as each admin chose for webhooks)."""
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.save(update_fields=["active", "disabled_at"])
    _stop_waiting(endpoint, STOPPED_DISABLED)
    admins = Membership.objects.filter(organization_id=endpoint.organization_id, role=Role.ADMIN)
    announce(Happening(
        organization_id=endpoint.organization_id, kind=Kind.WEBHOOK_DISABLED,
        key=f"{Kind.WEBHOOK_DISABLED}:{endpoint.pk}:{now.isoformat()}",
        data={"endpoint": endpoint.pk, "url": endpoint.url,
              "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None},
        recipients=tuple(admins.values_list("user_id", flat=True)),
        link=reverse("webhook-endpoint", args=[endpoint.pk]),
    ))  # fmt: skip


def _stop_waiting(endpoint: WebhookEndpoint, why: str) -> None:
    WebhookDelivery.objects.filter(
        endpoint=endpoint, status=WebhookDelivery.Status.PENDING
    ).exclude(kind=PING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, error=why
    )


def _a_day() -> timedelta:
    return timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)


def _delivery(
    organization_id: int, endpoint_id: int, event: Event, slug: str, now: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        organization_id=organization_id, endpoint_id=endpoint_id, event_id=event.pk,
        kind=event.kind, message_id=_message_id(),
        payload=_payload(event.kind, event.occurred_at, event.data, slug),
        created_at=now, started_at=now, next_attempt_at=now,
    )  # fmt: skip


def _message_id() -> str:
    return f"msg_{secrets.token_urlsafe(18)}"


def _payload(kind: str, at: datetime, data: dict[str, Any], slug: str) -> dict[str, Any]:
    """The Standard Webhooks body: the event's type, when it happened, and its data with the
    organisation's slug."""
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": kind, "timestamp": stamp, "data": {**data, "organization": slug}}
