"""Deals: their kind (new, repeat, reactivation) and what winning one does to its lead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.journal import mark_deals
from crm.models import Company, Deal, LeadStageChange, LifecycleStage, PipelineStage
from crm.rules import customer_since, deal_date, deal_kind
from crm.selectors import stage_with_role
from crm.services.common import assign, ensure_same_organization
from crm.services.leads import lead_change_stage
from orgs.models import Organization, User


def _previous_wins(
    company: Company | None, before: datetime | None, exclude: int | None
) -> list[datetime]:
    if company is None:
        return []
    wins = Deal.objects.filter(
        company=company, status=Deal.Status.WON, closed_at__isnull=False
    ).exclude(pk=exclude)
    if before is not None:
        wins = wins.filter(closed_at__lt=before)
    return list(wins.values_list("closed_at", flat=True))


def _check(deal: Deal) -> None:
    ensure_same_organization(deal.organization, lead=deal.lead, company=deal.company)
    if (
        deal.pipeline_stage
        and not PipelineStage.objects.for_org(deal.organization)
        .filter(code=deal.pipeline_stage)
        .exists()
    ):
        raise ValidationError(
            {
                "pipeline_stage": _("Unknown pipeline stage %(stage)s.")
                % {"stage": deal.pipeline_stage}
            }
        )
    if deal.status == Deal.Status.OPEN and deal.closed_at is not None:
        raise ValidationError({"closed_at": _("An open deal has no close date.")})


def _settle(deal: Deal, by: User | None) -> None:
    """Derive the kind, save, and move the lead of a won deal to customer at its close date."""
    when = deal_date(deal.created_at, deal.closed_at)
    deal.kind = deal_kind(when, _previous_wins(deal.company, when, deal.pk))
    deal.full_clean()
    deal.save()
    mark_deals(deal.organization_id, [deal.pk])
    if deal.lead is None:
        return
    customer = stage_with_role(deal.organization_id, LifecycleStage.Role.CUSTOMER)
    at = customer_since(
        stage=deal.lead.stage,
        created_at=deal.lead.created_at,
        deals=[(deal.status, deal.closed_at)],
        customer_stage=customer,
    )
    if at is not None and customer is not None:
        lead_change_stage(
            lead=deal.lead,
            to_stage=customer,
            by=by,
            source=LeadStageChange.Source.DEAL_WON,
            at=at,
        )


@transaction.atomic
def deal_create(*, organization: Organization, by: User | None, **fields: Any) -> Deal:
    fields.setdefault("currency", organization.currency)
    deal = Deal(organization=organization, **fields)
    _check(deal)
    _settle(deal, by)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, by: User | None, **fields: Any) -> Deal:
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    mark_deals(deal.organization_id, [deal.pk])  # the cells it leaves
    if fields.get("status") == Deal.Status.OPEN:
        fields.setdefault("closed_at", None)
    assign(deal, fields)
    _check(deal)
    _settle(deal, by)
    return deal


def deal_win(
    *, deal: Deal, by: User | None, at: datetime | None = None, amount: Any = None
) -> Deal:
    fields: dict[str, Any] = {
        "status": Deal.Status.WON,
        "closed_at": at or timezone.now(),
        "lost_reason": "",
    }
    if amount is not None:
        fields["amount"] = amount
    return deal_update(deal=deal, by=by, **fields)


def deal_lose(*, deal: Deal, by: User | None, reason: str = "", at: datetime | None = None) -> Deal:
    return deal_update(
        deal=deal,
        by=by,
        status=Deal.Status.LOST,
        closed_at=at or timezone.now(),
        lost_reason=reason,
    )
