"""What each kind of record shows in its list, how it filters and sorts, and who edits it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from crm import forms
from crm.models import Activity, Campaign, Channel, Company, Deal, Lead
from crm.services.deals import deal_create, deal_update
from crm.services.leads import lead_create, lead_update
from crm.services.records import record_create, record_update
from orgs.permissions import Action


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    path: str  # attribute path, e.g. "channel.name"
    sort: str = ""  # order_by key, when sortable
    kind: str = "text"  # text, money, date, datetime, link, stage


@dataclass(frozen=True)
class Spec:
    slug: str
    model: type[Model]
    title: StrOrPromise
    singular: StrOrPromise
    columns: list[Column]
    search: tuple[str, ...]
    write_action: Action
    form: type[forms.ScopedForm]
    filters: dict[str, str] = field(default_factory=dict)  # query parameter -> lookup
    related: tuple[str, ...] = ()
    default_sort: str = "-pk"
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    # (title, kind of record, function of the record giving those records): shown on its page
    sections: tuple[tuple[StrOrPromise, str, Callable[[Any], Any]], ...] = ()

    def create_record(self, *, organization: Any, by: Any, data: dict[str, Any]) -> Any:
        if self.create:
            return self.create(organization=organization, by=by, **data)
        return record_create(self.model, organization=organization, **data)

    def update_record(self, *, instance: Any, by: Any, data: dict[str, Any]) -> Any:
        if self.update:
            return self.update(instance, by=by, **data)
        return record_update(instance, **data)


SPECS = {
    spec.slug: spec
    for spec in [
        Spec(
            "leads",
            Lead,
            _("Leads"),
            _("lead"),
            [
                Column(_("Name"), "__str__", "name", "link"),
                Column(_("E-mail"), "email", "email"),
                Column(_("Company"), "company.name", "company__name"),
                Column(_("Channel"), "channel.name", "channel__name"),
                Column(_("Stage"), "stage", "stage", "stage"),
                Column(_("Entered"), "created_at", "created_at", "date"),
            ],
            ("name", "email", "external_id", "company__name"),
            Action.EDIT_LEADS,
            forms.LeadForm,
            {"stage": "stage", "channel": "channel__code"},
            ("company", "channel"),
            "-created_at",
            create=lambda **kw: lead_create(source="manual", **kw),
            update=lambda lead, **kw: lead_update(lead=lead, source="manual", **kw),
        ),
        Spec(
            "deals",
            Deal,
            _("Deals"),
            _("deal"),
            [
                Column(_("Name"), "__str__", "name", "link"),
                Column(_("Company"), "company.name", "company__name"),
                Column(_("Status"), "get_status_display", "status"),
                Column(_("Kind"), "get_kind_display", "kind"),
                Column(_("Amount"), "amount", "amount", "money"),
                Column(_("Closed"), "closed_at", "closed_at", "date"),
            ],
            ("name", "external_id", "product", "company__name"),
            Action.EDIT_DEALS,
            forms.DealForm,
            {"status": "status", "kind": "kind"},
            ("company",),
            "-created_at",
            create=deal_create,
            update=lambda deal, **kw: deal_update(deal=deal, **kw),
            sections=(
                (
                    _("Activities"),
                    "activities",
                    lambda deal: deal.activities.select_related("lead", "deal"),
                ),
            ),
        ),
        Spec(
            "companies",
            Company,
            _("Companies"),
            _("company"),
            [
                Column(_("Name"), "name", "name", "link"),
                Column(_("Industry"), "industry", "industry"),
                Column(_("Employees"), "employees", "employees"),
                Column(_("Country"), "country", "country"),
                Column(_("Parent"), "parent.name", "parent__name"),
            ],
            ("name", "external_id", "industry"),
            Action.EDIT_LEADS,
            forms.CompanyForm,
            {"industry": "industry"},
            ("parent",),
            "name",
            sections=(
                (_("Deals"), "deals", lambda company: company.deals.order_by("-created_at")),
                (
                    _("Leads"),
                    "leads",
                    lambda company: company.lead_set.select_related("channel").order_by(
                        "-created_at"
                    ),
                ),
                (_("Subsidiaries"), "companies", lambda company: company.subsidiaries.all()),
            ),
        ),
        Spec(
            "campaigns",
            Campaign,
            _("Campaigns"),
            _("campaign"),
            [
                Column(_("Name"), "name", "name", "link"),
                Column(_("Channel"), "channel.name", "channel__name"),
                Column(_("Start"), "start_date", "start_date", "date"),
                Column(_("Status"), "get_status_display", "status"),
                Column(_("Budget"), "budget", "budget", "money"),
                Column(_("Actual cost"), "actual_cost", "actual_cost", "money"),
            ],
            ("name", "external_id"),
            Action.EDIT_CAMPAIGNS,
            forms.CampaignForm,
            {"status": "status", "channel": "channel__code"},
            ("channel",),
            "-start_date",
            sections=(
                (
                    _("Leads"),
                    "leads",
                    lambda campaign: campaign.lead_set.select_related("channel", "company"),
                ),
            ),
        ),
        Spec(
            "channels",
            Channel,
            _("Channels"),
            _("channel"),
            [Column(_("Name"), "name", "name", "link"), Column(_("Code"), "code", "code")],
            ("name", "code"),
            Action.EDIT_CAMPAIGNS,
            forms.ChannelForm,
            {},
            (),
            "name",
        ),
        Spec(
            "activities",
            Activity,
            _("Activities"),
            _("activity"),
            [
                Column(_("When"), "at", "at", "datetime"),
                Column(_("Kind"), "get_kind_display", "kind", "link"),
                Column(_("Lead"), "lead", "lead__name"),
                Column(_("Deal"), "deal", "deal__name"),
                Column(_("Outcome"), "outcome", "outcome"),
            ],
            ("outcome", "notes", "lead__name"),
            Action.EDIT_LEADS,
            forms.ActivityForm,
            {"kind": "kind"},
            ("lead", "deal"),
            "-at",
        ),
    ]
}
