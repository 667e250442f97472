"""Channels, campaigns, companies and activities: create and update, within one organisation."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from crm.models import Activity, Campaign, Channel, Company
from crm.services.changes import mark_campaigns, mark_leads
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
    organization = instance.organization  # type: ignore[attr-defined]
    ensure_same_organization(
        organization, **{f: getattr(instance, f) for f in RELATED[type(instance)]}
    )
    if isinstance(instance, Company) and instance.parent_id and instance.parent_id == instance.pk:
        raise ValidationError({"parent": _("A company cannot be its own parent.")})
    instance.full_clean()
    instance.save()
    _mark(instance)
    return instance


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
