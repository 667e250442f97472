"""The acceptance queue's pages: every MQL waiting for sales, the longest waiting first, with
its time left; sales accepts or rejects them one by one or in bulk. The rules are
sla.services' (a lead no longer waiting, a reason the agreement does not allow, are refused
with the reason, lead by lead)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crm.selectors import lead_of
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from sla.forms import DecideForm
from sla.models import RejectionReason
from sla.queue import PAGE, queue
from sla.selectors import version_for
from sla.services import lead_accept, lead_reject


@require_GET
@member_required()
def queue_page(request: MemberRequest) -> HttpResponse:
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    count, rows = queue(request.organization, now=timezone.now(), page=page)
    version = version_for(request.organization, timezone.now())
    reasons = version.rejection_reasons if version else list(RejectionReason.values)
    return render(request, "sla/queue.html", {
        "rows": rows, "count": count, "page": page, "pages": max(1, -(-count // PAGE)),
        "may_decide": can(request.membership.role, Action.DECIDE_MQLS),
        "reasons": [(r, RejectionReason(r).label) for r in reasons],
        "agreement": version,
    })  # fmt: skip


@require_POST
@member_required(Action.DECIDE_MQLS)
def queue_decide(request: MemberRequest) -> HttpResponse:
    """Accept or reject the leads ticked, or accept the one whose row's button was pressed."""
    data = request.POST.copy()
    if "accept_one" in data:
        data.setlist("leads", [str(data.get("accept_one", ""))])
        data["decision"] = "accept"
    form = DecideForm(data)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request)
    done, refused = 0, []
    for lead_id in form.cleaned_data["leads"]:
        lead = lead_of(request.organization, lead_id)
        if lead is None:
            refused.append(_("Lead %(id)s: not found.") % {"id": lead_id})
            continue
        try:
            if form.cleaned_data["decision"] == "accept":
                lead_accept(
                    lead=lead, membership=request.membership, note=form.cleaned_data["note"]
                )
            else:
                lead_reject(lead=lead, membership=request.membership, reason=form.cleaned_data["reason"],
                            note=form.cleaned_data["note"])  # fmt: skip
            done += 1
        except ValidationError as error:
            refused.append(f"{lead.name or lead.pk}: {' '.join(error.messages)}")
    if done:
        text = (
            ngettext("%(n)s MQL accepted.", "%(n)s MQLs accepted.", done)
            if form.cleaned_data["decision"] == "accept"
            else ngettext("%(n)s MQL rejected.", "%(n)s MQLs rejected.", done)
        )
        messages.success(request, text % {"n": done})
    for message in refused:
        messages.error(request, message)
    return _back(request)


def _back(request: MemberRequest) -> HttpResponse:
    """To the page the decision was made on (a lead's), else the queue."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("sla-queue")
