"""A lead's page: its details and one timeline of stage changes, activities and deals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import ActivityForm, LeadForm, StageMoveForm
from crm.models import Activity, Lead
from crm.selectors import lifecycle_stage_names
from crm.services.leads import lead_change_stage
from crm.services.merge import duplicate_groups, leads_merge
from crm.services.records import record_create
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.extensions import record_panels


def timeline(lead: Lead) -> list[dict[str, Any]]:
    """Everything that happened to the lead, newest first."""
    events: list[dict[str, Any]] = [
        {"at": c.at, "type": "stage", "change": c} for c in lead.stage_changes.select_related("by")
    ]
    events += [
        {"at": a.at, "type": "activity", "activity": a}
        for a in lead.activities.select_related("by")
    ]
    for deal in lead.deals.all():
        if deal.created_at:
            events.append({"at": deal.created_at, "type": "deal_opened", "deal": deal})
        if deal.closed_at:
            events.append({"at": deal.closed_at, "type": "deal_closed", "deal": deal})
    return sorted(events, key=lambda e: e["at"], reverse=True)


def lead_detail(request: MemberRequest, lead: Lead) -> HttpResponse:
    form = LeadForm(instance=lead, organization=request.organization)
    context = {
        "lead": lead,
        "fields": [
            (form[name].label, getattr(lead, name)) for name in form.fields if name != "stage"
        ],
        "timeline": timeline(lead),
        "stage_names": lifecycle_stage_names(request.organization),
        "can_write": can(request.membership.role, Action.EDIT_LEADS),
        "move_form": StageMoveForm(organization=request.organization, current=lead.stage),
        "activity_form": ActivityForm(organization=request.organization),
        # What apps above add to a lead's page (its fit to the buyer personas, its SLA clock).
        "panels": record_panels("leads", request, lead),
    }
    return render(request, "crm/lead_detail.html", context)


@require_POST
@member_required(Action.EDIT_LEADS)
def lead_move(request: MemberRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.for_org(request.organization), pk=pk)
    form = StageMoveForm(request.POST, organization=request.organization, current=lead.stage)
    if form.is_valid():
        try:
            lead_change_stage(
                lead=lead,
                to_stage=form.cleaned_data["stage"],
                by=request.user,
                at=form.cleaned_data["at"],
            )
            messages.success(
                request, _("Moved to %(stage)s.") % {"stage": form.cleaned_data["stage"]}
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("crm-detail", kind="leads", pk=lead.pk)


@require_POST
@member_required(Action.EDIT_LEADS)
def lead_activity(request: MemberRequest, pk: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.for_org(request.organization), pk=pk)
    form = ActivityForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            record_create(
                Activity,
                organization=request.organization,
                lead=lead,
                by=request.user,
                **form.cleaned_data,
            )
            messages.success(request, _("Activity added."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("crm-detail", kind="leads", pk=lead.pk)


@require_GET
@member_required(Action.EDIT_LEADS)
def lead_duplicates(request: MemberRequest) -> HttpResponse:
    return render(
        request, "crm/duplicates.html", {"groups": duplicate_groups(request.organization)}
    )


@require_POST
@member_required(Action.EDIT_LEADS)
def lead_merge(request: MemberRequest, pk: int) -> HttpResponse:
    leads = Lead.objects.for_org(request.organization)
    survivor = get_object_or_404(leads, pk=pk)
    duplicate = get_object_or_404(leads, pk=request.POST.get("duplicate") or 0)
    try:
        leads_merge(survivor=survivor, duplicate=duplicate, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crm-duplicates")
    messages.success(request, _("Merged into %(lead)s; its history is kept.") % {"lead": survivor})
    return redirect("crm-detail", kind="leads", pk=survivor.pk)
