"""Reads of CRM records that more than one interface needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from crm.models import Campaign, Channel, Company, Deal, Lead, LifecycleStage, PipelineStage
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
    """Lifecycle stage code -> the organisation's name for it, in the active language where
    it is one of the default names (stored in English, translated when shown)."""
    rows = LifecycleStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}


def pipeline_stage_names(organization: Organization) -> dict[str, str]:
    """Pipeline stage code -> its name, as for lifecycle stages."""
    rows = PipelineStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}
