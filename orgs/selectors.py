"""Reads of organisations, members, invitations and tokens, always within one organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from orgs.models import ApiToken, Invitation, Membership, Organization, User


def memberships_of_user(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_for(user: User, organization_id: int | None) -> Membership | None:
    """The user's membership in the organisation they chose, else in their first one."""
    memberships = memberships_of_user(user)
    if organization_id is not None:
        chosen = memberships.filter(organization_id=organization_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.for_org(organization).select_related("user").order_by("user__username")
    )


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_org(organization)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )


def tokens_of(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership).order_by("revoked_at", "-created_at")
