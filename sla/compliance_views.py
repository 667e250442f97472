"""The compliance pages: the scorecard of both sides (a month, or the agreement to date) and
the breaches, filtered and fifty to a page. Reads only: the figures are the stored ones
sla.compliance reads, kept fresh in the background."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from orgs.tenancy import MemberRequest, member_required
from sla.compliance import compliance_of
from sla.compliance_words import month_choices, scorecard_words
from sla.forms import BreachFilterForm, ScorecardMonthForm
from sla.selectors import breaches_of, calendar_of, signed_agreements, this_month_of

BREACHES_PAGE = 50


@require_GET
@member_required()
def compliance_page(request: MemberRequest) -> HttpResponse:
    """The scorecard of `?month=YYYY-MM`, or of the agreement to date. A month that is not
    one answers 400, a month no signed agreement of the organisation covers 404, each
    saying so on the page."""
    form = ScorecardMonthForm(request.GET)
    agreements = signed_agreements(request.organization)
    month = form.cleaned_data["month"] if form.is_valid() else None
    this_month = this_month_of(request.organization, timezone.now())
    context: dict[str, Any] = {
        "form": form, "agreements": agreements, "month": month,
        "months": month_choices(agreements, this_month=this_month, chosen=month),
        "zone": calendar_of(request.organization).time_zone,
    }  # fmt: skip
    status = 200 if form.is_valid() else 400
    if agreements and status == 200:
        found = compliance_of(request.organization, month=month, now=timezone.now())
        if found is None and month is not None:
            status = 404  # no agreement of this organisation covers it
        context["found"] = found
        if found is not None:
            context |= scorecard_words(found, this_month=this_month)
    template = "sla/_compliance.html" if request.htmx else "sla/compliance.html"
    return render(request, template, context, status=status)


@require_GET
@member_required()
def breach_list(request: MemberRequest) -> HttpResponse:
    """The breaches, the latest deadline first, filtered by side, kind, state, month and
    whether the reader owns them; bad filters answer 400 with the reason beside them."""
    form = BreachFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "zone": calendar_of(request.organization).time_zone}
    if form.is_valid():
        owner = request.user.pk if form.cleaned_data["mine"] else None
        found = breaches_of(request.organization, owner_id=owner, **form.filters())
        page = Paginator(found, BREACHES_PAGE).get_page(request.GET.get("page"))
        query = [(k, str(v)) for k, v in request.GET.items() if k in form.fields and v]
        context |= {"page": page, "query": urlencode(query)}
    template = "sla/_breaches.html" if request.htmx else "sla/breaches.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)
