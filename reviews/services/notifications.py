"""A member's writes to their own notifications: read, all read, their choices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.models import Organization, User
from reviews.models import Notification, Preferences, Topic


def notification_read(*, notification: Notification, now: datetime) -> Notification:
    """Mark one notification read (a second time changes nothing)."""
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, organization: Organization, user: User, now: datetime) -> int:
    """Mark all the member's unread notifications read; how many."""
    return Notification.objects.filter(
        organization=organization, user=user, read_at__isnull=True
    ).update(read_at=now)


@transaction.atomic
def preferences_save(
    *, organization: Organization, user: User, in_app: Iterable[str], by_email: Iterable[str],
    weekly_digest: bool, language: str,
) -> Preferences:  # fmt: skip
    """Keep the member's choices; unknown topics or languages are refused, naming them."""
    topics = set(Topic.values)
    in_app, by_email = set(in_app), set(by_email)
    unknown = sorted((in_app | by_email) - topics)
    if unknown:
        raise ValidationError({"topics": _("Unknown topics: %(names)s. Known: %(known)s.") % {
            "names": ", ".join(unknown), "known": ", ".join(sorted(topics)),
        }})  # fmt: skip
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language: %(code)s.") % {"code": language}})
    preferences, _created = Preferences.objects.select_for_update().get_or_create(
        organization=organization, user=user
    )
    preferences.in_app, preferences.by_email = list(in_app), list(by_email)
    preferences.weekly_digest, preferences.language = weekly_digest, language
    preferences.full_clean(exclude=["organization", "user"])
    preferences.save()
    return preferences
