"""The weekly digest: each Monday morning in the organisation's time zone, each member who
did not turn it off gets one e-mail for their role, in their language (HTML and plain
text). Claimed before it goes (one a member a week) and given back if it fails, so the
next hourly run sends it again."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orgs.models import Membership, Organization
from reviews.digest import digest_of, week_of
from reviews.models import DigestSent, Preferences
from sla.selectors import calendar_of, time_zones
from smarketing.lib.enqueue import send_now

logger = logging.getLogger(__name__)

SEND_TASK = "reviews.tasks.digests_send_task"
# Monday from this hour (local) until noon: a run late by a few hours still sends it in the
# morning; one missed all morning skips the week rather than arrive on Monday night.
FIRST_HOUR, LAST_HOUR = 7, 12

# A claim left unsent this long belongs to a run that died: the next run takes it.
CLAIM_LEASE = timedelta(minutes=30)
CLAIM = """
    INSERT INTO reviews_digestsent AS claim (organization_id, user_id, week, sent_at, sent)
    VALUES (%s, %s, %s, %s, false)
    ON CONFLICT (organization_id, user_id, week) DO UPDATE SET sent_at = EXCLUDED.sent_at
        WHERE NOT claim.sent AND claim.sent_at < %s
    RETURNING id
"""


def digests_due(*, now: datetime) -> int:
    """Send a task for each organisation where it is Monday morning now; how many. Each
    organisation's digests are their own task: a big one delays no other."""
    due, zones = 0, time_zones()
    for organization_id in Organization.objects.values_list("pk", flat=True):
        local = now.astimezone(ZoneInfo(zones.get(organization_id, "UTC")))
        if local.weekday() == 0 and FIRST_HOUR <= local.hour < LAST_HOUR:
            due += send_now(SEND_TASK, organization_id)
    return due


def digests_send(*, organization_id: int, now: datetime) -> int:
    """This week's digest to each member of the organisation who wants it and has not had
    it; how many went."""
    organization = Organization.objects.get(pk=organization_id)
    week = week_of(now.astimezone(ZoneInfo(calendar_of(organization).time_zone)).date())
    chosen = {row.user_id: row for row in Preferences.objects.filter(organization=organization)}
    members = (
        Membership.objects.for_org(organization)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "organization")
    )
    sent = 0
    for membership in members:
        preferences = chosen.get(membership.user_id)
        if preferences is not None and not preferences.weekly_digest:
            continue
        if not _claim(organization_id, membership.user_id, week, now):
            continue
        language = preferences.language if preferences else settings.LANGUAGE_CODE
        claim = DigestSent.objects.filter(
            organization_id=organization_id, user_id=membership.user_id, week=week
        )
        try:
            digest_send(membership, now=now, language=language)
        except Exception:
            logger.exception("weekly digest to user %s failed", membership.user_id)
            claim.delete()
            continue
        claim.update(sent=True)
        sent += 1
    return sent


def _claim(organization_id: int, user_id: int, week: date, now: datetime) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, [organization_id, user_id, week, now, now - CLAIM_LEASE])
        return cursor.fetchone() is not None


def digest_send(membership: Membership, *, now: datetime, language: str) -> None:
    """Build and send one member's digest."""
    with translation.override(language):
        context = digest_of(membership, now=now)
        with timezone.override(context["zone"]):
            subject = _("Your week at %(org)s, from %(day)s") % {
                "org": membership.organization.name,
                "day": date_format(context["week"], "DATE_FORMAT"),
            }
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string("reviews/email/digest.txt", context),
                to=[membership.user.email],
            )
            message.attach_alternative(
                render_to_string("reviews/email/digest.html", context), "text/html"
            )
    message.send()
