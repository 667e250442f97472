"""How long what happened is kept: events (with their notifications and deliveries) for
EVENT_DAYS, the digests' weekly claims for DIGEST_DAYS. A nightly run deletes the older in
batches, so the tables stay the size of a year's news whatever the traffic."""

from __future__ import annotations

from datetime import datetime, timedelta

from reviews.models import DigestSent, Event

EVENT_DAYS = 365
DIGEST_DAYS = 60
BATCH = 5000  # rows a delete: a short lock each, never the whole backlog at once


def reviews_purge(*, now: datetime) -> int:
    """Delete the events and digest claims past their keeping; how many events."""
    deleted = 0
    while True:
        old = list(
            Event.objects.filter(occurred_at__lt=now - timedelta(days=EVENT_DAYS))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not old:
            break
        Event.objects.filter(pk__in=old).delete()
        deleted += len(old)
    DigestSent.objects.filter(week__lt=(now - timedelta(days=DIGEST_DAYS)).date()).delete()
    return deleted
