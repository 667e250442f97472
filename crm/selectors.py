"""Reads of CRM records that more than one interface needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from crm.defaults import HANDOFF_STAGE
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead, LifecycleStage
from orgs.models import Membership, Organization, User

# A related field's name -> the records it may point to.
RELATED_RECORDS: dict[str, type[Model]] = {
    "channel": Channel,
    "campaign": Campaign,
    "company": Company,
    "lead": Lead,
    "deal": Deal,
    "parent": Company,
    "duplicate": Lead,
}
MEMBER_FIELDS = ("owner", "by")


def related_choices(field: str, organization: Organization | None) -> QuerySet[Any] | None:
    """What a form or API field named `field` may point to: the organisation's own records,
    or its members for owner/by. None for a field that is not a link; nothing without an
    organisation (schema generation)."""
    if field in RELATED_RECORDS:
        rows = RELATED_RECORDS[field]._default_manager
        return rows.for_org(organization) if organization else rows.none()  # type: ignore[attr-defined]
    if field in MEMBER_FIELDS:
        if organization is None:
            return User.objects.none()
        return User.objects.filter(
            pk__in=Membership.objects.for_org(organization).values("user_id")
        )
    return None


def lifecycle_stage_names(organization: Organization) -> dict[str, str]:
    """Stage code -> its name in the active language (the default names are in the catalogues)."""
    stages = LifecycleStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in stages}


def leads_waiting_for_first_touch(
    organization: Organization, *, owner: int | None = None, shown: int = 8
) -> tuple[int, list[Lead]]:
    """Leads handed to sales (at the hand-off stage) that no call, e-mail or meeting has
    answered since: how many, and the `shown` longest waiting. With `owner`, that member's
    leads and the unassigned ones (which anyone may pick up)."""
    touched = Activity.objects.filter(
        organization=organization, lead=OuterRef("pk"), at__gte=OuterRef("stage_changed_at")
    ).exclude(kind=Activity.Kind.NOTE)
    waiting = (
        Lead.objects.for_org(organization).filter(stage=HANDOFF_STAGE).filter(~Exists(touched))
    )
    if owner is not None:
        waiting = waiting.filter(Q(owner_id=owner) | Q(owner__isnull=True))
    oldest = waiting.select_related("channel").order_by("stage_changed_at", "pk")[:shown]
    return waiting.count(), list(oldest)
