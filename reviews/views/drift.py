"""Drift on pages: every active plan's on its own page (with the window setting), and a
plan's on the plan's page (a panel the funnel app shows without importing reviews). They
read the stored rows: nothing is measured in a request."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.selectors import lifecycle_stage_names
from funnel.models import Plan
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from reviews import drift
from reviews.drift_words import DriftWords, drift_words
from reviews.forms.drift import DriftSettingsForm
from reviews.models import PlanDrift
from reviews.selectors.drift import drift_by_plan, drift_of, drift_settings_of
from reviews.services.drift import drift_settings_update


@require_http_methods(["GET", "POST"])
@member_required()
def drift_page(request: MemberRequest) -> HttpResponse:
    """Every active plan's drift; the window, which plan editors change (POST)."""
    may_edit = can(request.membership.role, Action.EDIT_PLANS)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    organization = request.organization
    current = drift_settings_of(organization)
    form = None
    if may_edit:
        data = request.POST if request.method == "POST" else None
        form = DriftSettingsForm(data, initial={"window_days": current.window_days})
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            drift_settings_update(organization=organization, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Window saved: the plans are measured again."))
            return redirect("drift")
    names = lifecycle_stage_names(organization)
    plans = []
    for entry in drift_by_plan(organization):
        words = [_words(row, names, organization.currency) for row in entry["rows"]]
        plans.append({**entry, "words": words, "risks": [w for w in words if w.row.at_risk]})
    computed = [row.computed_at for entry in plans for row in entry["rows"]]
    context = {
        "plans": plans, "settings": current, "form": form,
        "computed_at": max(computed) if computed else None,
        "maturity": drift.MATURITY, "default_maturity": drift.DEFAULT_MATURITY_DAYS,
    }  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/drift.html", context, status=status)


def _words(row: PlanDrift, names: dict[str, str], currency: str) -> DriftWords:
    return drift_words(row, stage_names=names, currency=currency)


def plan_drift_panel(request: HttpRequest, plan: Plan) -> str:
    """The drift of an active plan on its page, or "" for a plan not active."""
    if plan.status != Plan.Status.ACTIVE:
        return ""
    organization = request.organization  # type: ignore[attr-defined]
    names = lifecycle_stage_names(organization)
    words = [_words(row, names, organization.currency) for row in drift_of(organization, plan=plan)]
    context = {
        "plan": plan, "words": words, "at_risk": [w for w in words if w.row.at_risk],
        "settings": drift_settings_of(organization),
    }  # fmt: skip
    return render_to_string("reviews/_drift_panel.html", context, request=request)
