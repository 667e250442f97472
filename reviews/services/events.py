"""Each happening recorded once (its key), with a notification for each member it concerns
who wants its topic; told after commit."""

from __future__ import annotations

import json
import uuid
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgs.models import Membership
from reviews.models import KIND_TOPIC, Event, Notification, Preferences, Topic
from smarketing.lib.events import Happening, Kind

DISPATCH_TASK = "reviews.tasks.events_dispatch_task"

INSERT_EVENT = """
    INSERT INTO reviews_event (organization_id, kind, key, data, link, occurred_at)
    VALUES (%s, %s, %s, %s::jsonb, %s, %s)
    ON CONFLICT (organization_id, key) DO NOTHING
    RETURNING id
"""


@transaction.atomic
def event_record(happening: Happening) -> Event | None:
    """Record `happening` and notify the members it concerns, both or neither; None if its
    key was recorded before (a retry, a second sweep): then nobody is told again."""
    now = timezone.now()
    data = json.loads(json.dumps(happening.data, default=str))  # dates as ISO text
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EVENT, [
            happening.organization_id, happening.kind, happening.key[:200],
            json.dumps(data), happening.link[:300], now,
        ])  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None
    event = Event(
        pk=row[0], organization_id=happening.organization_id, kind=happening.kind,
        key=happening.key[:200], data=data, link=happening.link, occurred_at=now,
    )  # fmt: skip
    topic = KIND_TOPIC.get(happening.kind)
    if topic is not None and happening.recipients:
        notifications_create(event, Topic(topic), happening.recipients)
    dispatch_later(happening.organization_id)
    return event


def notifications_create(event: Event, topic: Topic, user_ids: tuple[int, ...]) -> int:
    """A notification for each member of the event's organisation among `user_ids` who
    wants `topic` in the app or by e-mail; how many."""
    members = set(
        Membership.objects.filter(
            organization_id=event.organization_id, user_id__in=set(user_ids)
        ).values_list("user_id", flat=True)
    )
    chosen = {
        row.user_id: row
        for row in Preferences.objects.filter(
            organization_id=event.organization_id, user_id__in=members
        )
    }
    rows = []
    for user_id in sorted(members):
        preferences = chosen.get(user_id)
        in_app = preferences is None or topic in preferences.in_app
        by_email = preferences is None or topic in preferences.by_email
        if in_app or by_email:
            rows.append(Notification(
                organization_id=event.organization_id, event=event, user_id=user_id,
                topic=topic, created_at=event.occurred_at, in_app=in_app, by_email=by_email,
            ))  # fmt: skip
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def dispatch_later(organization_id: int) -> None:
    """Send the organisation's new events' e-mails and webhooks once this commits; the
    events of a burst (a sweep that found twenty breaches) share one run."""
    from smarketing.lib.enqueue import send_once

    delay = settings.NOTIFY_COALESCE_SECONDS
    key = dispatch_key(organization_id)
    transaction.on_commit(lambda: send_once(key, DISPATCH_TASK, organization_id, delay=delay))


def dispatch_key(organization_id: int) -> str:
    return f"reviews-dispatch:{organization_id}"


def kpis_updated_announce(*, organization_id: int, months: list[date]) -> Event | None:
    """One `kpis.updated` event for a recompute that rewrote these months' facts, if an
    active webhook of the organisation listens for it (nobody is notified in the app: it
    is news for other tools, and recorded only for them)."""
    from reviews.models import WebhookEndpoint

    listening = WebhookEndpoint.objects.filter(
        organization_id=organization_id, active=True, events__contains=[Kind.KPIS_UPDATED]
    ).exists()
    if not listening:
        return None
    with transaction.atomic():
        return event_record(Happening(
            organization_id=organization_id, kind=Kind.KPIS_UPDATED,
            key=f"kpis.updated:{uuid.uuid4().hex}",
            data={"months": sorted(month.strftime("%Y-%m") for month in months)},
            link=reverse("metric-dictionary"),
        ))  # fmt: skip
