"""Events told after commit: their e-mails (one a member a run, listing what is new) and
their webhook deliveries. At least once, never twice: each e-mail is claimed in the
database before it goes and given back if it fails; the beat's sweep takes up what a lost
task or a failed send left."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orgs.models import Organization, User
from orgs.selectors import link_into
from reviews.models import Event, Notification, Preferences
from reviews.services.webhooks import webhook_deliveries_create
from reviews.words import title
from sla.selectors import calendar_of

logger = logging.getLogger(__name__)

# Events taken a run (the rest in the next: a run stays short whatever the backlog).
EVENT_BATCH = 500
# Notifications e-mailed a run.
EMAIL_BATCH = 500
# How long a run holds the notifications it is e-mailing: longer than any send takes
# (EMAIL_TIMEOUT), so that only a run that died lets them go to the next.
EMAIL_LEASE = timedelta(minutes=10)
# What the sweep leaves to the task sent after commit, which is that much late at most.
SWEEP_GRACE = timedelta(minutes=2)


def events_dispatch(*, organization_id: int, now: datetime) -> int:
    """Mark the organisation's new events told (making their webhook deliveries) and send
    its notifications' e-mails; how many e-mails went."""
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True)
            .filter(organization_id=organization_id, dispatched_at__isnull=True)
            .order_by("occurred_at", "pk")[:EVENT_BATCH]
        )
        Event.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=now)
        webhook_deliveries_create(organization_id=organization_id, events=events, now=now)
    return notifications_email(organization_id=organization_id, now=now)


def notifications_email(*, organization_id: int, now: datetime) -> int:
    """E-mail each member their notifications not e-mailed yet, one e-mail each; how many
    went. A member whose e-mail fails gives theirs back for the next sweep."""
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in _claim(organization_id, now):
        by_user[notification.user_id].append(notification)
    if not by_user:
        return 0
    organization = Organization.objects.get(pk=organization_id)
    languages = dict(
        Preferences.objects.filter(
            organization_id=organization_id, user_id__in=by_user
        ).values_list("user_id", "language")
    )
    sent = 0
    for user_id, notifications in by_user.items():
        user = notifications[0].user
        language = languages.get(user_id, settings.LANGUAGE_CODE)
        ids = [n.pk for n in notifications]
        try:
            _send(organization, user, notifications, language)
        except Exception:
            logger.exception("notification e-mail to user %s failed", user_id)
            Notification.objects.filter(pk__in=ids).update(email_claimed_at=None)
            continue
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _claim(organization_id: int, now: datetime) -> list[Notification]:
    """Lease the organisation's notifications waiting for their e-mail for EMAIL_LEASE;
    those leased (a concurrent run skips them; a run that died holding them lets them go
    when the lease ends, so the sweep sends them). Members without an e-mail address are
    marked done and skipped."""
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(organization_id=organization_id, by_email=True, emailed_at__isnull=True)
            .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_LEASE))
            .select_related("event", "user")
            .order_by("created_at", "pk")[:EMAIL_BATCH]
        )
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(email_claimed_at=now)
        nobody = [n.pk for n in claimed if not (n.user.email and n.user.is_active)]
        Notification.objects.filter(pk__in=nobody).update(emailed_at=now)
    return [n for n in claimed if n.user.email and n.user.is_active]


def _send(
    organization: Organization, user: User, notifications: list[Notification], language: str
) -> None:
    zone = calendar_of(organization).time_zone
    with translation.override(language), timezone.override(zone):
        items: list[dict[str, Any]] = [
            {
                "title": title(n.event.kind, n.event.data),
                "link": link_into(organization, n.event.link or "/notifications/"),
                "at": n.event.occurred_at,
            }
            for n in notifications
        ]
        if len(items) == 1:
            subject = items[0]["title"]
        else:
            subject = ngettext(
                "%(count)d new notification at %(org)s",
                "%(count)d new notifications at %(org)s",
                len(items),
            ) % {"count": len(items), "org": organization.name}
        context = {
            "items": items, "organization": organization, "user": user, "zone": zone,
            "centre": link_into(organization, "/notifications/"),
            "preferences": link_into(organization, "/notifications/preferences/"),
            "heading": _("What happened at %(org)s") % {"org": organization.name},
        }  # fmt: skip
        message = EmailMultiAlternatives(
            # One line: a name with a line break (an imported lead's, say) makes no header.
            subject=" ".join(subject.split())[:200],
            body=render_to_string("reviews/email/notifications.txt", context),
            to=[user.email],
        )
        message.attach_alternative(
            render_to_string("reviews/email/notifications.html", context), "text/html"
        )
        message.send()


def reviews_sweep(*, now: datetime) -> int:
    """Dispatch the events and send the e-mails that a lost task or a failed send left
    (older than SWEEP_GRACE); how many e-mails went."""
    late = now - SWEEP_GRACE
    organizations = set(
        Event.objects.filter(dispatched_at__isnull=True, occurred_at__lte=late)
        .values_list("organization_id", flat=True)
        .distinct()[:1000]
    ) | set(
        Notification.objects.filter(by_email=True, emailed_at__isnull=True, created_at__lte=late)
        .values_list("organization_id", flat=True)
        .distinct()[:1000]
    )
    return sum(
        events_dispatch(organization_id=organization_id, now=now)
        for organization_id in sorted(organizations)
    )
