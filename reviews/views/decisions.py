"""The decisions list on the pack, kept by the managers: add one, edit it, tick it off,
delete it. Each answers htmx with the pack's decisions, redrawn in place; without
JavaScript, the forms post and come back to the pack. A bad input answers 400 with the
form, what was typed kept and the reason beside the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from orgs.permissions import Action
from orgs.selectors import members_of
from orgs.tenancy import MemberRequest, member_required
from reviews.forms.decisions import DecisionForm
from reviews.models import ReviewDecision
from reviews.pack_figures import parse_month
from reviews.selectors.decisions import decision_of
from reviews.selectors.pack import Clock, clock_of
from reviews.selectors.sections import pack_decisions
from reviews.services.decisions import (
    decision_create,
    decision_delete,
    decision_edit,
    decision_mark_done,
)
from reviews.views.pack import calendar_now, month_or_404, pack_context


def _decision(request: MemberRequest, pk: int) -> ReviewDecision:
    found = decision_of(request.organization, pk)
    if found is None:
        raise Http404  # another organisation's, or none
    return found


def _pack_month(request: MemberRequest, decision: ReviewDecision) -> date:
    """The pack the form was on (it may follow up an earlier review's decision)."""
    return parse_month(request.POST.get("pack") or request.GET.get("pack")) or decision.month


def _back(month: date) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("review-pack", args=[f"{month:%Y-%m}"]) + "#decisions")


def _decisions(
    request: MemberRequest, month: date, clock: Clock, *, form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    """The pack's decisions alone, as htmx swaps them in."""
    members = members_of(request.organization)
    found = pack_decisions(request.organization, month, clock.today)
    context: dict[str, Any] = {
        "found": found, "month": month, "can_keep": True, "today": clock.today,
        "form": form or DecisionForm(members=members),
    }  # fmt: skip
    return render(request, "reviews/pack/_decisions.html", context, status=status)


def _answer(request: MemberRequest, month: date) -> HttpResponse:
    """After a change: the decisions redrawn (htmx), or back to the pack."""
    if request.htmx:
        return _decisions(request, month, clock_of(request.organization, timezone.now()))
    return _back(month)


@require_POST
@member_required(Action.KEEP_REVIEWS)
def decision_add(request: MemberRequest, month: str) -> HttpResponse:
    """A decision of this month's review."""
    chosen = month_or_404(month)
    clock, months = calendar_now(request.organization)
    if not months.holds(chosen):
        raise Http404
    form = DecisionForm(request.POST, members=members_of(request.organization))
    if form.is_valid():
        try:
            decision_create(organization=request.organization, month=chosen, by=request.user,
                            today=clock.today, **form.values())  # fmt: skip
        except ValidationError as refusal:
            form.place(refusal)
        else:
            return _answer(request, chosen)
    if request.htmx:
        return _decisions(request, chosen, clock, form=form, status=400)
    context = pack_context(request, chosen, clock, months, form=form)
    return render(request, "reviews/pack.html", context, status=400)


@require_http_methods(["GET", "POST"])
@member_required(Action.KEEP_REVIEWS)
def decision_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The decision's form in its row (htmx) or on a page of its own; saved, the pack."""
    decision = _decision(request, pk)
    month = _pack_month(request, decision)
    members = members_of(request.organization)
    if request.method == "GET":
        initial = {"text": decision.text, "owner": decision.owner_id, "due": decision.due}
        form = DecisionForm(initial=initial, members=members, auto_id=f"id_d{pk}_%s")
        return _edit_form(request, decision, month, form)
    form = DecisionForm(request.POST, members=members, auto_id=f"id_d{pk}_%s")
    if form.is_valid():
        clock = clock_of(request.organization, timezone.now())
        try:
            decision_edit(decision=decision, today=clock.today, **form.values())
        except ValidationError as refusal:
            form.place(refusal)
        else:
            return _answer(request, month)
    return _edit_form(request, decision, month, form, status=400)


def _edit_form(
    request: MemberRequest, decision: ReviewDecision, month: date, form: DecisionForm,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {"decision": decision, "month": month, "edit_form": form}
    if not request.htmx:
        return render(request, "reviews/decision_edit.html", context, status=status)
    answer = render(request, "reviews/pack/_decision_edit.html", context, status=status)
    # Refused, the row's form comes back in place of the row, not of the whole list.
    answer["HX-Retarget"] = f"#decision-{decision.pk}"
    answer["HX-Reswap"] = "outerHTML"
    return answer


@require_POST
@member_required(Action.KEEP_REVIEWS)
def decision_done_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Tick it off ("done": "1"), or open it again ("done": "0")."""
    decision = _decision(request, pk)
    decision_mark_done(decision=decision, done=request.POST.get("done", "1") != "0")
    return _answer(request, _pack_month(request, decision))


@require_POST
@member_required(Action.KEEP_REVIEWS)
def decision_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    month = _pack_month(request, decision)
    decision_delete(decision=decision)
    return _answer(request, month)
