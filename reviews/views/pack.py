"""The monthly review pack: the page (printable), its workbook, and the way in (the last
month over). Reads only: every figure is a stored one (reviews.selectors.pack)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from orgs.models import Organization
from orgs.permissions import Action, can
from orgs.selectors import members_of
from orgs.tenancy import MemberRequest, member_required
from reviews.forms.decisions import DecisionForm
from reviews.pack_figures import PackMonths, parse_month
from reviews.pack_sheets import workbook
from reviews.selectors.pack import Clock, pack_calendar, review_pack
from smarketing.lib.exports import safe_file_name
from smarketing.lib.months import add_months

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def month_or_404(raw: str) -> date:
    """The month a URL names; a month that is none (2026-13) is not found."""
    month = parse_month(raw)
    if month is None:
        raise Http404
    return month


def calendar_now(organization: Organization) -> tuple[Clock, PackMonths]:
    """Now in the organisation's time zone, and the months it has a pack for."""
    return pack_calendar(organization, timezone.now())


@require_GET
@member_required()
def review_latest(request: MemberRequest) -> HttpResponse:
    """The pack the next meeting reviews: the last month over; or the month picked."""
    _clock, months = calendar_now(request.organization)
    picked = parse_month(request.GET.get("month"))
    month = picked or months.latest_ended()
    return redirect("review-pack", month=f"{month:%Y-%m}")


@require_GET
@member_required()
def review_pack_page(request: MemberRequest, month: str) -> HttpResponse:
    """One month's pack. A month before the organisation's first data, or still to come,
    has none: 404, saying which months have one."""
    chosen = month_or_404(month)
    clock, months = calendar_now(request.organization)
    if not months.holds(chosen):
        context = {"month": chosen, "months": months, "outside": True}
        return render(request, "reviews/pack.html", context, status=404)
    return render(request, "reviews/pack.html", pack_context(request, chosen, clock, months))


def pack_context(
    request: MemberRequest, month: date, clock: Clock, months: PackMonths,
    form: DecisionForm | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The whole page's context; with `form`, the decision form as it was posted."""
    organization = request.organization
    pack = review_pack(organization, month, clock=clock, months=months)
    can_keep = can(request.membership.role, Action.KEEP_REVIEWS)
    if can_keep and form is None:
        form = DecisionForm(members=members_of(organization))
    before, after = add_months(month, -1), add_months(month, 1)
    return {
        "pack": pack, "month": month, "months": months, "can_keep": can_keep, "form": form,
        "before": before if months.holds(before) else None,
        "after": after if months.holds(after) else None,
        "today": clock.today,
    }  # fmt: skip


@require_GET
@member_required()
def review_pack_export(request: MemberRequest, month: str) -> HttpResponse:
    """The pack as a workbook: a sheet per section, headers in the reader's language."""
    chosen = month_or_404(month)
    clock, months = calendar_now(request.organization)
    if not months.holds(chosen):
        raise Http404
    organization = request.organization
    pack = review_pack(organization, chosen, clock=clock, months=months)
    response = HttpResponse(workbook(pack.sheets(), currency=organization.currency), XLSX)
    name = safe_file_name(f"review-pack-{organization.slug}-{chosen:%Y-%m}") + ".xlsx"
    response.headers["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response
