"""Deleting records: what each takes with it, and the KPI cells that change when it goes.

Like every write, a delete marks the cells it changes in its own transaction. The marks are
found through the rows (a lead's months are its entry, stage changes and deals), so they are
set while the rows still exist; what the delete's cascade keeps but moves to another cell (a
deleted lead's deals, which lose its channel) is marked again once it has moved.

Each delete takes ids of one organisation, so that the admin's bulk action deletes a
selection in one statement per kind, as the API deletes one record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import ngettext

from crm.journal import mark_campaigns, mark_companies, mark_deals, mark_leads
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead


def _locked(model: type[Model], organization_id: int, ids: Iterable[int]) -> list[int]:
    """The ids that are the organisation's, their rows locked until the delete commits: a
    change made meanwhile waits, then finds nothing to change."""
    rows = model._default_manager.select_for_update().filter(
        organization_id=organization_id, pk__in=list(ids)
    )
    return list(rows.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def leads_delete(*, organization_id: int, lead_ids: Iterable[int]) -> int:
    """Delete leads with their stage history and activities; their deals stay, without a lead."""
    ids = _locked(Lead, organization_id, lead_ids)
    deal_ids = list(Deal.objects.filter(lead_id__in=ids).values_list("pk", flat=True))
    mark_leads(organization_id, ids)  # every month they count in, their deals' among them
    Lead.objects.filter(pk__in=ids).delete()
    mark_deals(organization_id, deal_ids)  # now counted without a channel or campaign
    return len(ids)


@transaction.atomic
def deals_delete(*, organization_id: int, deal_ids: Iterable[int]) -> int:
    """Delete deals with their activities."""
    ids = _locked(Deal, organization_id, deal_ids)
    mark_deals(organization_id, ids)  # the month each closed in, or the open pipeline
    # Their activities go too: a lead's response time may have been one of them.
    _mark_leads_of(organization_id, Activity.objects.filter(deal_id__in=ids))
    Deal.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def activities_delete(*, organization_id: int, activity_ids: Iterable[int]) -> int:
    ids = _locked(Activity, organization_id, activity_ids)
    _mark_leads_of(organization_id, Activity.objects.filter(pk__in=ids))  # response times
    Activity.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def campaigns_delete(*, organization_id: int, campaign_ids: Iterable[int]) -> int:
    """Delete campaigns; their leads stay, attributed to no campaign."""
    ids = _locked(Campaign, organization_id, campaign_ids)
    mark_campaigns(organization_id, ids)  # their cost, month by month
    _mark_leads_of(organization_id, Lead.objects.filter(campaign_id__in=ids), "pk")
    Campaign.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def companies_delete(*, organization_id: int, company_ids: Iterable[int]) -> int:
    """Delete companies; their leads and deals stay, without a company."""
    ids = _locked(Company, organization_id, company_ids)
    deals = Deal.objects.filter(company_id__in=ids).values_list("pk", flat=True)
    mark_deals(organization_id, deals)  # its wins were one customer; now each lead is one
    mark_companies(organization_id, ids)  # its leads lose its industry, size and country
    Company.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def channels_delete(*, organization_id: int, channel_ids: Iterable[int]) -> int:
    """Delete channels no lead or campaign comes from, and the KPI facts kept for them;
    one still in use is refused, saying what uses it, and nothing is deleted."""
    # Locked: a lead or campaign put on one meanwhile cannot commit once it has gone.
    ids = _locked(Channel, organization_id, channel_ids)
    _ensure_unused(Channel.objects.filter(pk__in=ids))
    Channel.objects.filter(pk__in=ids).delete()
    return len(ids)


def _mark_leads_of(organization_id: int, rows: Any, field: str = "lead_id") -> None:
    mark_leads(organization_id, rows.values_list(field, flat=True))


def _ensure_unused(channels: Any) -> None:
    leads = Lead.objects.filter(channel__in=channels).count()
    campaigns = Campaign.objects.filter(channel__in=channels).count()
    problems = {}
    if leads:
        problems["leads"] = ngettext(
            "%(count)d lead comes from this channel: move it to another channel first.",
            "%(count)d leads come from this channel: move them to another channel first.",
            leads,
        ) % {"count": leads}
    if campaigns:
        problems["campaigns"] = ngettext(
            "%(count)d campaign runs on this channel: move it to another channel first.",
            "%(count)d campaigns run on this channel: move them to another channel first.",
            campaigns,
        ) % {"count": campaigns}
    if problems:
        raise ValidationError(problems)


DELETES: dict[type[Model], Callable[[int, Iterable[int]], int]] = {
    Lead: lambda org, ids: leads_delete(organization_id=org, lead_ids=ids),
    Deal: lambda org, ids: deals_delete(organization_id=org, deal_ids=ids),
    Activity: lambda org, ids: activities_delete(organization_id=org, activity_ids=ids),
    Campaign: lambda org, ids: campaigns_delete(organization_id=org, campaign_ids=ids),
    Company: lambda org, ids: companies_delete(organization_id=org, company_ids=ids),
    Channel: lambda org, ids: channels_delete(organization_id=org, channel_ids=ids),
}


def records_delete(model: type[Model], *, organization_id: int, ids: Iterable[int]) -> int:
    """Delete records of one kind through that kind's delete; returns how many went."""
    if model not in DELETES:
        raise ValueError(f"{model.__name__} has no delete service")
    return DELETES[model](organization_id, ids)


def record_delete(instance: Model) -> None:
    records_delete(
        type(instance),
        organization_id=instance.organization_id,  # type: ignore[attr-defined]
        ids=[instance.pk],
    )
