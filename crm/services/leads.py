"""Leads and their stage history: every change of stage is recorded, from any path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.journal import mark_leads
from crm.models import Lead, LeadStageChange, LifecycleStage
from crm.services.common import assign, ensure_same_organization, normalise_email
from orgs.models import Organization, User
from smarketing.lib.bounds import validate_business_date

Source = LeadStageChange.Source
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
    if "email" in fields:
        fields["email"] = normalise_email(fields["email"])
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
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
    mark_leads(lead.organization_id, [lead.pk])
    return change
