"""The alignment pulse's page: the pulse open now (answered here by marketing and sales
members), a closed pulse's results per team, the alignment index of its period with each of
its parts, and the trend; managers open the pulse and choose its cadence. Every member reads
the results a team's threshold lets through."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from objectives.selectors import team_of
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from reviews.alignment import WEIGHTS
from reviews.forms.pulse import PulseAnswerForm, PulseCadenceForm
from reviews.models import Cadence, Pulse, Team
from reviews.pulse import ANSWER_DAYS, MIN_ANSWERS, next_opening, period_of
from reviews.pulse_charts import trend_chart
from reviews.pulse_words import last_day, part_rows, period_label, team_rows
from reviews.selectors.pulse import Overview, overview_of, period_held, pulse_of, zone_of
from reviews.services.pulse import pulse_answer, pulse_open, pulse_schedule_set


def _overview(request: MemberRequest, chosen: Pulse | None = None) -> Overview:
    return overview_of(
        request.organization, user_id=request.user.pk, now=timezone.now(), chosen=chosen
    )


def _context(
    request: MemberRequest, found: Overview, *, answer: PulseAnswerForm | None = None,
    cadence: PulseCadenceForm | None = None, error: str = "",
) -> dict[str, Any]:  # fmt: skip
    role = request.membership.role
    zone = zone_of(request.organization)
    today = timezone.now().astimezone(zone).date()
    held = period_held(request.organization, period_of(today, found.cadence))
    shown = found.shown
    return {
        "found": found,
        "team_label": Team(team).label if (team := team_of(role)) else "",
        "cadence_label": Cadence(found.cadence).label,
        "can_answer": can(role, Action.ANSWER_PULSE) and team_of(role) is not None,
        "can_keep": can(role, Action.KEEP_REVIEWS),
        "answer_form": answer or PulseAnswerForm(),
        "cadence_form": cadence or PulseCadenceForm(initial={"cadence": found.cadence}),
        "error": error,
        "open_label": period_label(found.open.period, found.open.cadence) if found.open else "",
        "open_until": last_day(found.open, zone) if found.open else None,
        "next_opening": next_opening(today, found.cadence, held=held),
        "period_held": held,
        "shown_label": period_label(shown.period, shown.cadence) if shown else "",
        "shown_open": shown is not None and found.open is not None and shown.pk == found.open.pk,
        "teams": team_rows(found.results) if found.results else [],
        "index_label": period_label(
            found.alignment.period, shown.cadence if shown else found.cadence
        ),
        "parts": part_rows(found.alignment, reverse("pulse-page")),
        "pulse_weight": WEIGHTS["pulse"],
        "trend": [
            {
                "pulse": p,
                "label": period_label(p.period, p.cadence),
                "teams": team_rows(found.trend_results[p.pk]),
            }
            for p in reversed(found.trend)
        ],
        "chart": trend_chart(found.trend, found.trend_results),
        "minimum": MIN_ANSWERS,
        "answer_days": ANSWER_DAYS,
        "zone": zone,
    }


def _page(request: MemberRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "reviews/pulse.html", context, status=status)


@require_GET
@member_required()
def pulse_page(request: MemberRequest) -> HttpResponse:
    return _page(request, _context(request, _overview(request)))


@require_GET
@member_required()
def pulse_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """One pulse's results and its period's index; another organisation's pulse is 404."""
    chosen = pulse_of(request.organization, pk)
    if chosen is None:
        raise Http404
    return _page(request, _context(request, _overview(request, chosen)))


@require_POST
@member_required(Action.ANSWER_PULSE)
def pulse_answer_view(request: MemberRequest, pk: int) -> HttpResponse:
    """A member's answers to the open pulse; anything wrong comes back beside its field (or
    above the form: the pulse closed, answered already) and nothing is stored. An admin,
    who is on neither team, is refused (403)."""
    pulse = pulse_of(request.organization, pk)
    if pulse is None:
        raise Http404
    form = PulseAnswerForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            pulse_answer(pulse=pulse, membership=request.membership, scores=form.scores(),
                         comment=form.cleaned_data["comment"], now=timezone.now())  # fmt: skip
        except ValidationError as refusal:  # closed, or answered already: no form to show
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Thank you: your answers are in, with no name on them."))
            return redirect("pulse-page")
    context = _context(request, _overview(request), answer=form, error=error)
    return _page(request, context, status=400)


@require_POST
@member_required(Action.KEEP_REVIEWS)
def pulse_open_view(request: MemberRequest) -> HttpResponse:
    try:
        pulse = pulse_open(organization=request.organization, now=timezone.now())
    except ValidationError as refusal:
        context = _context(request, _overview(request), error=" ".join(refusal.messages))
        return _page(request, context, status=400)
    messages.success(request, _("The pulse of %(period)s is open; its members are told.")
                     % {"period": period_label(pulse.period, pulse.cadence)})  # fmt: skip
    return redirect("pulse-page")


@require_POST
@member_required(Action.KEEP_REVIEWS)
def pulse_cadence_view(request: MemberRequest) -> HttpResponse:
    form = PulseCadenceForm(request.POST)
    if not form.is_valid():
        return _page(request, _context(request, _overview(request), cadence=form), status=400)
    cadence = Cadence(form.cleaned_data["cadence"])
    pulse_schedule_set(organization=request.organization, cadence=cadence)
    messages.success(request, _("Saved: from the next period on, the pulse is %(cadence)s.")
                     % {"cadence": str(cadence.label).lower()})  # fmt: skip
    return redirect("pulse-page")
