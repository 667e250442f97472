"""Channels, campaigns, companies and activities: create and update, within one organisation."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from crm.journal import mark_campaigns, mark_companies, mark_deals, mark_every_lead, mark_leads
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead
from crm.services.common import assign, ensure_same_organization
from orgs.models import Organization

M = TypeVar("M", bound=Model)
RELATED: dict[type[Model], tuple[str, ...]] = {
    Campaign: ("channel",),
    Company: ("parent",),
    Activity: ("lead", "deal"),
    Channel: (),
}


def channel_code(value: str) -> str:
    """'Paid Search' -> 'paid_search': the form every channel code takes."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def _save(instance: M) -> M:
    ensure_same_organization(
        instance.organization_id,  # type: ignore[attr-defined]
        **{f: getattr(instance, f) for f in RELATED[type(instance)]},
    )
    if isinstance(instance, Company) and instance.parent_id and instance.parent_id == instance.pk:
        raise ValidationError({"parent": _("A company cannot be its own parent.")})
    instance.full_clean()
    existed = not instance._state.adding
    instance.save()
    _mark(instance)
    if existed:
        _mark_profiles(instance)
    return instance


def _mark_profiles(instance: Model) -> None:
    """A company's or a channel's change is a change of its leads' profiles (personas'
    criteria read a company's industry, size and country, a channel's name)."""
    if isinstance(instance, Company):
        mark_companies(instance.organization_id, [instance.pk])
    elif isinstance(instance, Channel):
        mark_every_lead(instance.organization_id)


def _mark(instance: Model) -> None:
    """Campaigns hold costs and activities response times: their KPI cells are stale."""
    if isinstance(instance, Campaign):
        mark_campaigns(instance.organization_id, [instance.pk])
    elif isinstance(instance, Activity):
        mark_leads(instance.organization_id, [instance.lead_id])


@transaction.atomic
def record_create(model: type[M], *, organization: Organization, **fields: Any) -> M:
    if model is Channel and "code" in fields:
        fields["code"] = channel_code(fields["code"])
    return _save(model(organization=organization, **fields))


@transaction.atomic
def record_update(instance: M, **fields: Any) -> M:
    if isinstance(instance, Channel) and "code" in fields:
        fields["code"] = channel_code(fields["code"])
    _mark(instance)  # the cells it leaves
    assign(instance, fields)
    return _save(instance)


def _mark_stored(model: type[Model], organization_id: int, pk: int) -> None:
    """Mark the cells of the record as the database holds it now."""
    if model is Lead:
        mark_leads(organization_id, [pk])
    elif model is Deal:
        mark_deals(organization_id, [pk])
    elif model is Campaign:
        mark_campaigns(organization_id, [pk])
    elif model is Activity:
        mark_leads(
            organization_id, Activity.objects.filter(pk=pk).values_list("lead_id", flat=True)
        )


@transaction.atomic
def record_save_as_staff(instance: Model) -> None:
    """A save from the Django admin, which edits rows as they are: the cells the record
    leaves (as stored before) and enters (as stored after) are marked like any other write,
    so that staff fixing an amount or a channel leave no stale KPIs claiming to be fresh."""
    organization_id = instance.organization_id  # type: ignore[attr-defined]
    existed = bool(instance.pk)
    if existed:
        _mark_stored(type(instance), organization_id, instance.pk)
    instance.save()
    _mark_stored(type(instance), organization_id, instance.pk)
    if existed:
        _mark_profiles(instance)
