"""Leads and their stage history: every change of stage is recorded, from any path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.journal import mark_leads, mark_moves
from crm.models import Lead, LeadStageChange, LifecycleStage
from crm.services.common import assign, ensure_same_organization, normalise_email
from orgs.models import Organization, User
from smarketing.lib.bounds import validate_business_date

Source = LeadStageChange.Source
Role = LifecycleStage.Role
RELATED = ("company", "channel", "campaign")


def stage_codes(organization: Organization) -> list[str]:
    return list(LifecycleStage.objects.for_org(organization).values_list("code", flat=True))


def _check_stage(organization: Organization, stage: str) -> None:
    codes = stage_codes(organization)
    if stage not in codes:
        raise ValidationError(
            {
                "stage": _("Unknown stage %(stage)s; this organisation's stages are: %(codes)s.")
                % {"stage": stage, "codes": ", ".join(codes)}
            }
        )


@transaction.atomic
def lead_create(
    *, organization: Organization, by: User | None, source: str = Source.MANUAL, **fields: Any
) -> Lead:
    fields["email"] = normalise_email(fields.get("email"))
    lead = Lead(organization=organization, **fields)
    ensure_same_organization(organization, **{f: getattr(lead, f) for f in RELATED})
    _check_stage(organization, lead.stage)
    lead.stage_changed_at = lead.created_at
    lead.full_clean()
    lead.save()
    LeadStageChange.objects.create(
        organization=organization,
        lead=lead,
        from_stage="",
        to_stage=lead.stage,
        at=lead.created_at,
        by=by,
        source=source,
    )
    mark_leads(organization.pk, [lead.pk])
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, by: User | None, source: str = Source.MANUAL, **fields: Any) -> Lead:
    """Change a lead's fields; a new `stage` is recorded like any other stage change."""
    stage = fields.pop("stage", None)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if "email" in fields:  # checked if changed: a lead stored with a bad one stays editable
        given = (fields["email"] or "").strip().lower()
        fields["email"] = lead.email if given == lead.email else normalise_email(given)
    before = (lead.channel_id, lead.campaign_id, lead.created_at)
    if assign(lead, fields):
        ensure_same_organization(lead.organization, **{f: getattr(lead, f) for f in RELATED})
        lead.full_clean()
        if before != (lead.channel_id, lead.campaign_id, lead.created_at):
            mark_leads(lead.organization_id, [lead.pk])  # the cells it leaves
        lead.save()
        mark_leads(lead.organization_id, [lead.pk])
    if stage is not None:
        lead_change_stage(lead=lead, to_stage=stage, by=by, source=source)
    return lead


@transaction.atomic
def lead_change_stage(
    *,
    lead: Lead,
    to_stage: str,
    by: User | None,
    source: str = Source.MANUAL,
    at: datetime | None = None,
) -> LeadStageChange | None:
    """Move the lead to `to_stage` at `at` (now by default); None when it is there already."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.stage == to_stage:
        return None
    _check_stage(lead.organization, to_stage)
    at = at or timezone.now()
    try:
        validate_business_date(at)
    except ValidationError as error:
        raise ValidationError({"at": error.messages}) from error
    if at < lead.created_at:
        raise ValidationError(
            {"at": _("A stage change cannot come before the lead entered the funnel.")}
        )
    change = LeadStageChange.objects.create(
        organization=lead.organization,
        lead=lead,
        from_stage=lead.stage,
        to_stage=to_stage,
        at=at,
        by=by,
        source=source,
    )
    Lead.objects.filter(pk=lead.pk).update(stage=to_stage, stage_changed_at=at)
    lead.stage, lead.stage_changed_at = to_stage, at
    mark_moves(lead.organization_id, [change.pk])
    return change


@transaction.atomic
def leads_hand_off(
    *, organization_id: int, moves: Sequence[tuple[int, str]], source: str, since: datetime
) -> list[int]:
    """Move each lead of `moves` ((lead id, detail)) to the organisation's hand-off stage,
    if it is still in a stage before it (not an exit) and entered the funnel at or after
    `since`, recording each move with its detail; set-based, two statements whatever the
    number. Returns the ids moved. Nothing moves where no stage plays the hand-off role."""
    stages = list(
        LifecycleStage.objects.filter(organization_id=organization_id).values_list(
            "code", "position", "is_exit", "role"
        )
    )
    handoff = next(((c, p) for c, p, _exit, role in stages if role == Role.HANDOFF), None)
    if handoff is None or not moves:
        return []
    before = [c for c, p, is_exit, _role in stages if p < handoff[1] and not is_exit]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH picked AS ("
            " SELECT l.id, l.stage, m.detail FROM crm_lead l"
            " JOIN unnest(%(ids)s::bigint[], %(details)s::text[]) AS m(id, detail) ON l.id = m.id"
            " WHERE l.organization_id = %(org)s AND l.stage = ANY(%(before)s)"
            " AND l.created_at >= %(since)s FOR UPDATE OF l"
            "), moved AS ("
            " UPDATE crm_lead l SET stage = %(to)s, stage_changed_at = %(now)s, updated_at = %(now)s"
            " FROM picked p WHERE l.id = p.id RETURNING l.id, p.stage AS from_stage, p.detail"
            ") INSERT INTO crm_leadstagechange"
            " (organization_id, lead_id, from_stage, to_stage, at, by_id, source, detail)"
            " SELECT %(org)s, id, from_stage, %(to)s, %(now)s, NULL, %(source)s, left(detail, 200)"
            " FROM moved RETURNING id, lead_id",
            {
                "org": organization_id,
                "to": handoff[0],
                "now": now,
                "ids": [lead_id for lead_id, _detail in moves],
                "details": [detail for _lead_id, detail in moves],
                "before": before,
                "since": since,
                "source": source,
            },
        )
        recorded = cursor.fetchall()
    mark_moves(organization_id, [change for change, _lead in recorded])
    return [lead for _change, lead in recorded]
