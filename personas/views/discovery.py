"""Discovery's page: the sales history by segment (the figures of the API, from the same
pure code), its chart, how much of the won revenue the approved personas cover, and a draft
persona proposed from a segment."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.selectors import channel_names, closed_deals_for_discovery
from orgs.models import Organization
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from personas.calculations import criterion
from personas.charts import won_revenue_and_win_rate
from personas.coverage import ApprovedPersona, coverage
from personas.discovery import SMALL_SAMPLE
from personas.forms import DiscoveryForm
from personas.proposals import ProposalError, propose
from personas.selectors import discovery as discovery_figures
from personas.selectors import personas_of
from personas.services import persona_create


def approved_personas(organization: Organization) -> list[ApprovedPersona]:
    """The organisation's personas in use that have an approved version, as coverage
    reads them."""
    found = []
    for persona in personas_of(organization):
        version = persona.approved_version
        if version is None:
            continue
        criteria = tuple(
            criterion(c.kind, c.weight, c.params)
            for c in sorted(version.criteria.all(), key=lambda c: (c.position, c.pk))
        )
        found.append(
            ApprovedPersona(persona.pk, version.name, version.number, version.threshold, criteria)
        )
    return found


def _segment(segment: dict[str, Any]) -> dict[str, Any]:
    """A segment with its values one per dimension, and whether it can become a persona."""
    values = segment["value"] if isinstance(segment["value"], list) else [segment["value"]]
    return {**segment, "values": values, "proposable": None not in values}


@require_GET
@member_required()
def discovery(request: MemberRequest) -> HttpResponse:
    query = request.GET.copy()
    query.setdefault("dimension", "industry")
    form = DiscoveryForm(query)
    organization = request.organization
    context: dict[str, Any] = {
        "form": form,
        "currency": organization.currency,
        "small_sample_below": SMALL_SAMPLE,
        "can_edit": can(request.membership.role, Action.EDIT_PERSONAS),
        "query": request.GET.urlencode(),
    }
    if not form.is_valid():
        return render(request, "personas/discovery.html", context, status=400)
    dimensions = form.dimensions()
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    # The database adds the segments up (one query however many deals); the deals' rows are
    # read only to see which fit an approved persona, when one exists.
    figures = discovery_figures(organization, dimensions, start=start, end=end)
    personas = approved_personas(organization)
    rows = closed_deals_for_discovery(organization, start=start, end=end) if personas else []
    covered = coverage(rows, personas, figures["segments"], dimensions)
    context |= {
        "dimensions": dimensions,
        "overall": figures["overall"],
        "segments": [_segment(s) for s in figures["segments"]],
        "chart": won_revenue_and_win_rate(figures["segments"], currency=organization.currency),
        "coverage": covered,
        "uncovered": [_segment(s) for s in covered.uncovered],
    }
    return render(request, "personas/discovery.html", context)


@require_POST
@member_required(Action.EDIT_PERSONAS)
def discovery_propose(request: MemberRequest) -> HttpResponse:
    """A draft persona whose criteria select the segment; then its editor."""
    dimensions, values = request.POST.getlist("dimension"), request.POST.getlist("value")
    back = reverse("persona-discovery")
    query = urlencode(parse_qsl(request.POST.get("query", "")))
    names = channel_names(request.organization)
    # Uneven lists are refused by propose(), which says so.
    pairs = zip(dimensions, values, strict=False)
    labels = [names.get(v, v) if d == "channel" else v for d, v in pairs]
    try:
        proposal = propose(dimensions, values, labels)
        persona = persona_create(
            organization=request.organization,
            by=request.user,
            criteria=proposal.criteria,
            name=proposal.name,
            description=_("Proposed from the sales history: the segment %(segment)s.")
            % {"segment": proposal.name},
            **proposal.profile,
        )
    except ProposalError as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{back}?{query}" if query else back)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(f"{back}?{query}" if query else back)
    messages.success(
        request,
        _(
            "A draft persona for %(segment)s: review its profile and criteria, then both teams approve it."
        )
        % {"segment": proposal.name},
    )
    return redirect("persona-edit", pk=persona.pk)
