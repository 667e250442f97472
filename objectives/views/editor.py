"""The objective editor: its form with owner rows added and removed in place, and the SMART
check shown live as the user types. Every write goes through objectives.services, which
holds the rules and names the field a refusal is about."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from objectives.forms import (
    ObjectiveForm,
    owner_forms,
    owner_rows_typed,
    owners_chosen,
    place_errors,
    plain,
)
from objectives.models import Objective
from objectives.reasons import explained
from objectives.selectors import EditorChoices, editor_choices, objectives_of
from objectives.services import (
    MAX_OWNERS,
    draft_of,
    objective_check,
    objective_create,
    objective_update,
)
from objectives.words import check_words
from orgs.permissions import Action
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.months import add_months


def objective_of(request: MemberRequest, pk: int) -> Objective:
    """The organisation's objective with its owners and rep targets; another organisation's
    id is a 404."""
    return get_object_or_404(objectives_of(request.organization), pk=pk)


def _forms(
    request: MemberRequest, objective: Objective | None, choices: EditorChoices
) -> tuple[ObjectiveForm, Any]:
    currency = request.organization.currency
    if request.method == "POST":
        return (
            ObjectiveForm(request.POST, choices=choices, currency=currency),
            owner_forms(request.POST, choices.members),
        )
    if objective is not None:
        draft = draft_of(objective)
        initial = ObjectiveForm.initial_from(draft)
        rows = [{"member": m.pk, "weight": plain(w)} for m, w in draft.owners]
    else:
        this_month = timezone.localdate().replace(day=1)
        initial = {"first_month": this_month, "last_month": add_months(this_month, 5)}
        rows = [{"member": request.membership.pk}]
    rows.append({})  # a blank row to name one more owner without a round trip
    return (
        ObjectiveForm(initial=initial, choices=choices, currency=currency),
        owner_forms(None, choices.members, initial=rows[:MAX_OWNERS]),
    )


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_OBJECTIVES)
def objective_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    objective = objective_of(request, pk) if pk else None
    choices = editor_choices(request.organization, objective)
    if request.method == "POST" and ("add" in request.POST or "remove" in request.POST):
        return _edit_rows(request, objective, choices)
    form, owners = _forms(request, objective, choices)
    stored = check_words(
        explained(objective.smart, objective.metric, request.organization.currency)
        if objective is not None and objective.smart
        else None
    )
    title = objective.title if objective is not None else ""
    if request.method == "POST" and form.is_valid() and owners.is_valid():
        chosen, rows = owners_chosen(owners, choices.members)
        draft = form.draft(request.organization, chosen)
        today = timezone.localdate()
        try:
            if objective is None:
                objective = objective_create(
                    organization=request.organization, by=request.user, draft=draft, today=today
                )
            else:
                objective_update(objective=objective, draft=draft, today=today)
        except ValidationError as error:
            place_errors(error, form, owners, rows)
        else:
            messages.success(request, _("Objective saved, with its SMART check and progress."))
            return redirect("objective-detail", pk=objective.pk)
    context = {"objective": objective, "title": title, "form": form, "owners": owners,
               "check": stored, "shared": objective.shared if objective else None, "editing": True,
               "max_owners": MAX_OWNERS}  # fmt: skip
    return render(
        request, "objectives/edit.html", context, status=400 if request.method == "POST" else 200
    )


def _edit_rows(
    request: MemberRequest, objective: Objective | None, choices: EditorChoices
) -> HttpResponse:
    """Add an owner row, or remove one, keeping what was typed and checking nothing yet:
    the whole editor, or (htmx) its owners, which then ask the check to run again."""
    rows: list[dict[str, Any]] = list(owner_rows_typed(request.POST))
    if "add" in request.POST and len(rows) < MAX_OWNERS:
        rows.append({})
    removed = request.POST.get("remove", "")
    if removed.isascii() and removed.isdigit() and int(removed) < len(rows):
        del rows[int(removed)]
    owners = owner_forms(None, choices.members, initial=rows)
    form = ObjectiveForm(
        initial={name: request.POST.get(name, "") for name in ObjectiveForm.base_fields},
        choices=choices,
        currency=request.organization.currency,
    )
    context = {"objective": objective, "title": objective.title if objective else "",
               "form": form, "owners": owners, "max_owners": MAX_OWNERS}  # fmt: skip
    if request.htmx:
        answer = render(request, "objectives/_owners.html", context)
        answer["HX-Trigger"] = "owners-changed"
        return answer
    return render(request, "objectives/edit.html", context)


@require_POST
@member_required()
def objective_check_view(request: MemberRequest) -> HttpResponse:
    """The editor's live SMART check (htmx): the five letters of what is typed, or what is
    still missing to check it. Nothing is saved; any member may ask, as the API lets them."""
    choices = editor_choices(request.organization)
    form = ObjectiveForm(request.POST, choices=choices, currency=request.organization.currency)
    if not form.is_valid():
        missing = [(form[name].label, errors) for name, errors in form.errors.items() if name in form.fields]  # fmt: skip
        return render(request, "objectives/_check.html", {"missing": missing})
    owners, _rows = owners_chosen(owner_forms(request.POST, choices.members), choices.members)
    draft = form.draft(request.organization, owners)
    found = objective_check(
        organization=request.organization, draft=draft, today=timezone.localdate()
    )
    smart = explained(found["smart"], draft.metric, request.organization.currency)
    context = {"check": check_words(smart), "shared": found["shared"]}
    return render(request, "objectives/_check.html", context)
