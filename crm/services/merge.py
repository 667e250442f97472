"""Merging duplicate leads: one survives with the other's history, activities and deals."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Func, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.journal import mark_leads
from crm.models import Activity, Deal, Lead, LeadStageChange, LifecycleStage
from crm.services.deletes import leads_delete
from orgs.models import Organization, User

FILLED_FROM_DUPLICATE = [
    "name",
    "email",
    "phone",
    "title",
    "company",
    "country",
    "city",
    "channel",
    "campaign",
    "owner",
    "external_id",
]


def duplicate_groups(organization: Organization, limit: int = 100) -> list[list[Lead]]:
    """Leads that look like one person: the same name at the same company, or the same phone.

    (The same e-mail or external id cannot happen: both are unique per organisation.)"""
    leads = Lead.objects.for_org(organization)
    digits = Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace")
    by_name = (
        leads.exclude(name="")
        .filter(company__isnull=False)
        .annotate(key=Lower("name"))
        .values("key", "company_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    by_phone = (
        leads.exclude(phone="")
        .annotate(key=digits)
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    groups: list[list[Lead]] = []
    for row in by_name[:limit]:
        groups.append(
            list(
                leads.annotate(key=Lower("name"))
                .filter(key=row["key"], company_id=row["company_id"])
                .order_by("created_at")
            )
        )
    for row in by_phone[:limit]:
        members = list(leads.annotate(key=digits).filter(key=row["key"]).order_by("created_at"))
        if len(members) > 1 and not any(
            {m.pk for m in members} <= {g.pk for g in group} for group in groups
        ):
            groups.append(members)
    return groups[:limit]


def _further(organization: Organization, a: str, b: str) -> str:
    """Of two stages, the one further down the funnel (an exit counts as least far)."""
    order = {
        s.code: (not s.is_exit, s.position) for s in LifecycleStage.objects.for_org(organization)
    }
    return max(a, b, key=lambda code: order.get(code, (False, -1)))


@transaction.atomic
def leads_merge(*, survivor: Lead, duplicate: Lead, by: User | None) -> Lead:
    """Move everything of `duplicate` onto `survivor`, fill the survivor's blanks, delete the duplicate."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A lead cannot be merged into itself."))
    if survivor.organization_id != duplicate.organization_id:
        raise ValidationError(_("Not found."))
    survivor = Lead.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Lead.objects.select_for_update().get(pk=duplicate.pk)
    mark_leads(survivor.organization_id, [survivor.pk, duplicate.pk])
    LeadStageChange.objects.filter(lead=duplicate).update(lead=survivor)
    Activity.objects.filter(lead=duplicate).update(lead=survivor)
    Deal.objects.filter(lead=duplicate).update(lead=survivor)
    filled = {}
    for field in FILLED_FROM_DUPLICATE:
        mine, theirs = getattr(survivor, field), getattr(duplicate, field)
        if mine in ("", None) and theirs not in ("", None):
            filled[field] = theirs
    stage = _further(survivor.organization, survivor.stage, duplicate.stage)
    # First: its e-mail and external id may move to the survivor. Through the delete service,
    # which knows what a lead takes with it (by now its history has moved here).
    leads_delete(organization_id=duplicate.organization_id, lead_ids=[duplicate.pk])
    for field, value in filled.items():
        setattr(survivor, field, value)
    survivor.created_at = min(survivor.created_at, duplicate.created_at)
    if stage != survivor.stage:
        # One instant for both: the lead's stage_changed_at is its last change's `at`, which
        # the SLA's hand-off and its recorded decision are keyed by.
        moved_at = timezone.now()
        LeadStageChange.objects.create(
            organization=survivor.organization,
            lead=survivor,
            from_stage=survivor.stage,
            to_stage=stage,
            at=moved_at,
            by=by,
            source=LeadStageChange.Source.MERGE,
        )
        survivor.stage, survivor.stage_changed_at = stage, moved_at
    survivor.full_clean()
    survivor.save()
    mark_leads(survivor.organization_id, [survivor.pk])
    return survivor
