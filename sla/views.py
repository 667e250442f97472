"""The SLA's pages: the agreements (and the draft of a new one), an agreement in words with
its versions, signatures and sign buttons, its edit and amend forms, and the business
calendar. Every write goes through sla.services, which holds the rules; a refusal is shown
beside the field it names, and nothing is saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.selectors import channel_names
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from sla.forms import (
    CalendarForm,
    DraftForm,
    SignForm,
    TermsForm,
    country_name,
    place_errors,
    weekday_name,
)
from sla.models import Agreement, AgreementVersion, Side
from sla.presenters import agreement_data
from sla.selectors import agreements_of, calendar_of, coming_holidays
from sla.services import (
    agreement_amend,
    agreement_create,
    agreement_edit,
    agreement_sign,
    calendar_update,
    proposed_terms,
    sides_to_sign,
)
from sla.words import (
    agreement_status,
    period,
    signature_rows,
    version_words,
    working_days_words,
)
from smarketing.lib.months import add_months


def _agreement(request: MemberRequest, pk: int) -> Agreement:
    """The organisation's agreement with its versions and signatures prefetched; another
    organisation's id is a 404."""
    return get_object_or_404(agreements_of(request.organization), pk=pk)


def _may_edit(request: MemberRequest) -> bool:
    return can(request.membership.role, Action.EDIT_SLA)


# --- the agreements ---


def _next_first_month(agreements: list[Agreement], today: date) -> date:
    """January of this year, or of the first year after it without an agreement."""
    taken = {a.first_month for a in agreements}
    first = date(today.year, 1, 1)
    while first in taken:
        first = date(first.year + 1, 1, 1)
    return first


def _draft_form(request: MemberRequest, agreements: list[Agreement]) -> DraftForm:
    """The draft form: as posted, or the next period's with the model's defaults and the
    MQLs the active plan proposes (`proposed` says whether it did)."""
    names = channel_names(request.organization)
    if request.method == "POST":
        return DraftForm(request.POST, channel_names=names)
    first = _next_first_month(agreements, timezone.localdate())
    proposed = proposed_terms(request.organization, first=first, last=add_months(first, 11))
    terms = {**AgreementVersion().terms(), **proposed}
    initial = {**DraftForm.initial_from(terms), "first_month": first}
    form = DraftForm(initial=initial, channel_names=names)
    form.proposed = bool(proposed)
    return form


def _row(agreement: Agreement) -> dict[str, Any]:
    data = agreement_data(agreement)
    in_force = data["in_force_version"]
    shown = next((v for v in data["versions"] if v["number"] == in_force), data["versions"][0])
    return {
        "agreement": agreement,
        "period": period(agreement.first_month, agreement.last_month),
        "status": agreement_status(data),
        "version": shown["number"],
        "sides": signature_rows(shown),
    }


@require_http_methods(["GET", "POST"])
@member_required()
def agreement_list(request: MemberRequest) -> HttpResponse:
    """The agreements, newest period first; an editor drafts the next one here (POST)."""
    may_edit = _may_edit(request)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    agreements = list(agreements_of(request.organization))
    form = _draft_form(request, agreements) if may_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        terms = form.terms()
        try:
            agreement = agreement_create(
                organization=request.organization, by=request.user,
                first_month=form.cleaned_data["first_month"], terms=terms,
            )  # fmt: skip
        except ValidationError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Agreement drafted: both managers sign it next."))
            return redirect("sla-agreement", pk=agreement.pk)
    first = form.initial.get("first_month") if form is not None else None
    context = {
        "rows": [_row(a) for a in agreements],
        "form": form,
        "this_year": not isinstance(first, date) or first.year == timezone.localdate().year,
    }
    return render(
        request, "sla/list.html", context, status=400 if request.method == "POST" else 200
    )


def _detail(request: MemberRequest, agreement: Agreement, **extra: Any) -> dict[str, Any]:
    data = agreement_data(agreement)
    names = channel_names(request.organization)
    newest = agreement.versions.all()[0]  # newest first, prefetched
    return {
        "agreement": agreement,
        "period": period(agreement.first_month, agreement.last_month),
        "status": agreement_status(data),
        "in_force": data["in_force_version"],
        "versions": [version_words(v, names) for v in data["versions"]],
        "signable": sides_to_sign(newest, request.membership),
        "newest_in_force": newest.in_force_at is not None,
        "can_edit": _may_edit(request),
        **extra,
    }


@require_GET
@member_required()
def agreement_detail(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    return render(request, "sla/detail.html", _detail(request, agreement))


@require_POST
@member_required()
def agreement_sign_view(request: MemberRequest, pk: int) -> HttpResponse:
    """Sign the newest version for one side, only if its terms are still the ones the page
    showed (its fingerprint); who may sign which side is agreement_sign's to decide."""
    agreement = _agreement(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        error, code = _("Sign from the agreement's page."), 400
    else:
        side = form.cleaned_data["side"]
        try:
            agreement_sign(agreement=agreement, membership=request.membership,
                           side=side, seen=form.cleaned_data["fingerprint"])  # fmt: skip
        except PermissionDenied as refusal:
            error, code = str(refusal) or _("You may not sign this side."), 403
        except ValidationError as refusal:
            error, code = " ".join(refusal.messages), 400
        else:
            messages.success(request, _("Signed for %(side)s.") % {"side": Side(side).label})
            return redirect("sla-agreement", pk=agreement.pk)
    fresh = _agreement(request, pk)  # what is signed now, whatever changed meanwhile
    context = _detail(request, fresh, sign_error=error)
    return render(request, "sla/detail.html", context, status=code)


def _terms_page(
    request: MemberRequest, agreement: Agreement, *, amend: bool
) -> HttpResponse | None:
    """The edit (a draft) or amend (a version in force) form: None once saved."""
    newest = agreement.versions.all()[0]
    newest.agreement = agreement
    reason = "required" if amend else ("optional" if newest.number > 1 else None)
    names = channel_names(request.organization)
    if request.method != "POST":
        initial = TermsForm.initial_from(newest.terms())
        if reason == "optional":
            initial["reason"] = newest.reason
        form = TermsForm(initial=initial, channel_names=names, reason=reason)
        return render(request, "sla/edit.html", _editor(agreement, newest, form, amend))
    form = TermsForm(request.POST, channel_names=names, reason=reason)
    if form.is_valid():
        try:
            if amend:
                agreement_amend(agreement=agreement, by=request.user,
                                reason=form.cleaned_data["reason"], terms=form.terms())  # fmt: skip
            else:
                agreement_edit(
                    agreement=agreement, terms=form.terms(), reason=form.cleaned_data.get("reason")
                )
        except ValidationError as error:
            place_errors(error, form)
        else:
            return None
    return render(request, "sla/edit.html", _editor(agreement, newest, form, amend), status=400)


def _editor(
    agreement: Agreement, newest: AgreementVersion, form: TermsForm, amend: bool
) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "period": period(agreement.first_month, agreement.last_month),
        "version": newest,
        "signatures": list(newest.signatures.all()),
        "form": form,
        "amend": amend,
    }


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_SLA)
def agreement_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    if agreement.versions.all()[0].in_force_at:
        messages.info(request, _("This version is in force: amend the agreement instead."))
        return redirect("sla-amend", pk=agreement.pk)
    answer = _terms_page(request, agreement, amend=False)
    if answer is not None:
        return answer
    messages.success(request, _("Draft saved: both managers sign what it says now."))
    return redirect("sla-agreement", pk=agreement.pk)


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_SLA)
def agreement_amend_view(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    if not agreement.versions.all()[0].in_force_at:
        messages.info(request, _("The newest version is still a draft: edit it instead."))
        return redirect("sla-edit", pk=agreement.pk)
    answer = _terms_page(request, agreement, amend=True)
    if answer is not None:
        return answer
    messages.success(
        request,
        _("Amendment drafted: the version in force stays so until both managers sign it."),
    )
    return redirect("sla-agreement", pk=agreement.pk)


# --- the business calendar ---


@require_http_methods(["GET", "POST"])
@member_required()
def calendar_page(request: MemberRequest) -> HttpResponse:
    """The business calendar: every member reads it, editors change it (POST)."""
    may_edit = _may_edit(request)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    calendar = calendar_of(request.organization)
    form = None
    if may_edit:
        data = request.POST if request.method == "POST" else None
        form = CalendarForm(data, initial=CalendarForm.initial_from(calendar))
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            calendar_update(organization=request.organization, **form.cleaned_data)
        except ValidationError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Business calendar saved."))
            return redirect("sla-calendar")
    own = set(calendar.extra_holidays or [])
    names = {day: weekday_name(day) for day in range(1, 8)}
    context = {
        "calendar": calendar,
        "form": form,
        "working_days": working_days_words(list(calendar.working_days), names),
        "country": country_name(calendar.holidays_country),
        "coming": [
            (day, day in own, day.isoweekday() in calendar.working_days)
            for day in coming_holidays(calendar, today=timezone.localdate())
        ],
    }
    return render(
        request, "sla/calendar.html", context, status=400 if request.method == "POST" else 200
    )
