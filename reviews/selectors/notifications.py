"""Reads of a member's notifications and choices, always within one organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from orgs.models import Organization, User
from reviews.models import Notification, Preferences


def inbox_of(
    organization: Organization, user: User, *, unread_only: bool = False
) -> QuerySet[Notification]:
    """The member's notifications shown in the app, the newest first."""
    found = (
        Notification.objects.for_org(organization)
        .filter(user=user, in_app=True)
        .select_related("event")
        .order_by("-created_at", "-pk")
    )
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(organization: Organization, user: User) -> int:
    return (
        Notification.objects.for_org(organization)
        .filter(user=user, in_app=True, read_at__isnull=True)
        .count()
    )


def preferences_of(organization: Organization, user: User) -> Preferences:
    """The member's choices; the defaults, unsaved, if they never chose."""
    found = Preferences.objects.for_org(organization).filter(user=user).first()
    return found or Preferences(organization=organization, user=user)
