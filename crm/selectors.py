"""Reads of CRM records that more than one interface needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from crm.defaults import HANDOFF_STAGE
from crm.imports.value_choices import Options
from crm.models import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    Lead,
    LifecycleStage,
    PipelineStage,
)
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


def import_value_options(organization: Organization) -> Options:
    """What an imported value may become in this organisation: its channels, its members
    (as a file names them: username, e-mail or full name), its stages."""
    members: list[tuple[str, str]] = []
    keys: dict[str, str] = {}
    rows = (
        Membership.objects.for_org(organization)
        .order_by("-user__is_active", "user__username")
        .values_list("user__username", "user__email", "user__first_name", "user__last_name")
    )
    for username, email, first, last in rows:
        full_name = " ".join(f"{first} {last}".split())
        members.append((username, f"{full_name} ({username})" if full_name else username))
        for key in (username, email, full_name):
            if key:
                keys.setdefault(key.lower(), username)
    return Options(
        channels=list(
            Channel.objects.for_org(organization).order_by("code").values_list("code", "name")
        ),
        members=members,
        member_keys=keys,
        stages=list(
            LifecycleStage.objects.for_org(organization)
            .order_by("is_exit", "position")
            .values_list("code", "name")
        ),
        pipeline_stages=list(
            PipelineStage.objects.for_org(organization)
            .order_by("position")
            .values_list("code", "name")
        ),
    )


def lifecycle_stage_names(organization: Organization) -> dict[str, str]:
    """Lifecycle stage code -> the organisation's name for it, in the active language where
    it is one of the default names (stored in English, translated when shown)."""
    rows = LifecycleStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}


def pipeline_stage_names(organization: Organization) -> dict[str, str]:
    """Pipeline stage code -> its name, as for lifecycle stages."""
    rows = PipelineStage.objects.for_org(organization).values_list("code", "name")
    return {code: gettext(name) for code, name in rows}


def funnel_stage_codes(organization_id: int) -> list[str]:
    """The organisation's lifecycle stage codes a lead moves through, in order (exit stages,
    such as disqualified, left out): the stages the KPI facts count."""
    return list(
        LifecycleStage.objects.filter(organization_id=organization_id, is_exit=False)
        .order_by("position")
        .values_list("code", flat=True)
    )


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
