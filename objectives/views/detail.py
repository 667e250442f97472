"""An objective's page: its stored SMART check, its progress and weekly history, its owners
and rep targets; the split into rep targets and the delete button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from objectives.charts import progress_history
from objectives.forms import SplitForm, sales_reps
from objectives.metrics import BY_CODE
from objectives.models import Objective
from objectives.presenters import objective_data
from objectives.reasons import amount
from objectives.selectors import plan_of, scope_labels, snapshots_of
from objectives.services import SPLITTABLE_SCOPES, objective_delete, objective_split
from objectives.views.editor import objective_of
from objectives.words import (
    check_words,
    owner_words,
    period,
    progress_words,
    rep_target_words,
    status,
)
from orgs.permissions import Action, can
from orgs.selectors import members_of
from orgs.tenancy import MemberRequest, member_required


def splittable(objective: Objective) -> bool:
    """Counted per rep in the KPI facts, and in a scope they count it in."""
    return BY_CODE[objective.metric].per_owner and objective.scope_kind in SPLITTABLE_SCOPES


def _split_form(request: MemberRequest, objective: Objective) -> SplitForm | None:
    if not (splittable(objective) and can(request.membership.role, Action.EDIT_OBJECTIVES)):
        return None
    reps = sales_reps({m.pk: m for m in members_of(request.organization)})
    initial = {"method": objective.split_method or "equal"}
    data = request.POST if request.method == "POST" else None
    return SplitForm(data, reps=reps, initial=initial)


def _context(
    request: MemberRequest, objective: Objective, split: SplitForm | None
) -> dict[str, Any]:
    currency = request.organization.currency
    metric = BY_CODE[objective.metric]
    data = objective_data(objective, currency)
    plan = plan_of(request.organization, objective.plan_id) if objective.plan_id else None
    return {
        "objective": objective,
        "metric": metric,
        "scope": scope_labels(request.organization, [objective])[objective.pk],
        "period": period(objective),
        "target": amount(metric, objective.target, currency),
        "status": status(objective.status),
        "progress": progress_words(metric, objective.progress, currency),
        "as_of": objective.progress_as_of,
        "check": check_words(data["smart"]),
        "shared": objective.shared,
        "plan": plan,
        "owners": [owner_words(o.membership, o.weight) for o in objective.owners.all()],
        "reps": [
            rep_target_words(rep, currency, named=True) for rep in objective.rep_targets.all()
        ],
        "chart": progress_history(
            snapshots_of(objective), metric, target=objective.target, currency=currency
        ),
        "split": split,
        "can_edit": can(request.membership.role, Action.EDIT_OBJECTIVES),
        "splits": splittable(objective),
    }


@require_GET
@member_required()
def objective_detail(request: MemberRequest, pk: int) -> HttpResponse:
    objective = objective_of(request, pk)
    context = _context(request, objective, _split_form(request, objective))
    return render(request, "objectives/detail.html", context)


@require_POST
@member_required(Action.EDIT_OBJECTIVES)
def objective_split_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Split the target into rep targets; a refusal is shown beside the split form."""
    objective = objective_of(request, pk)
    split = _split_form(request, objective)
    if split is None:
        messages.error(
            request, _("%(metric)s is not counted per rep: it cannot be split into rep targets.")
            % {"metric": BY_CODE[objective.metric].name},
        )  # fmt: skip
        return render(
            request, "objectives/detail.html", _context(request, objective, None), status=400
        )
    if split.is_valid():
        try:
            objective_split(
                objective=objective, method=split.cleaned_data["method"],
                today=timezone.localdate(), members=split.members(), weights=split.weights(),
            )  # fmt: skip
        except ValidationError as error:
            split.add_error(None, error.messages)
        else:
            messages.success(request, _("Split into rep targets that add up to the objective's."))
            return redirect("objective-detail", pk=objective.pk)
    fresh = objective_of(request, pk)
    return render(request, "objectives/detail.html", _context(request, fresh, split), status=400)


@require_POST
@member_required(Action.EDIT_OBJECTIVES)
def objective_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    objective = objective_of(request, pk)
    title = objective.title
    objective_delete(objective=objective)
    messages.success(request, _("Objective “%(title)s” deleted.") % {"title": title})
    return redirect("objective-list")
