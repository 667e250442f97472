"""The three dashboards: one view, the full page or (for htmx) the refreshed part."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards.home import home_overview
from dashboards.selectors import BY_OWNER, DASHBOARDS
from funnel.assumptions import NO_CHANNEL
from funnel.selectors import display_names
from kpis.selectors import kpi_months_span, kpis_as_of
from orgs.models import Membership, Organization
from orgs.selectors import members_of
from orgs.tenancy import MemberRequest, member_required
from smarketing.lib.exports import export_response

COLUMNS = [
    "leads", "mqls", "sqls", "won_deals", "lost_deals", "won_revenue", "win_rate",
    "avg_deal_size", "new_customers", "arpu", "cost", "cost_per_lead", "roi",
]  # fmt: skip
CONVERSIONS = ["lead_to_mql", "mql_to_sql", "lead_to_customer"]  # marketing's rows have them


def _month(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(f"{raw}-01") if raw else default
    except ValueError:
        return default


def _owner(raw: str | None, members: list[Membership]) -> int | None:
    """The member whose numbers are asked for; anything else shows everyone's."""
    chosen = int(raw) if raw and raw.isascii() and raw.isdigit() else None  # not "²"
    return chosen if chosen in {m.user_id for m in members} else None


def _data_span(organization: Organization, start: date, end: date) -> tuple[date, date] | None:
    """Where the data is, when none of it falls between `start` and `end`; else None."""
    span = kpi_months_span(organization)
    if span is None or (span[0] <= end and span[1] >= start):
        return None
    return span


@require_GET
@member_required()
def dashboard(request: MemberRequest, name: str) -> HttpResponse:
    if name not in DASHBOARDS:
        raise Http404
    today = timezone.localdate()
    end = _month(request.GET.get("end"), today.replace(day=1))
    # A year back, but never before year 1 (?end=0001-01 has no year before it).
    start = _month(request.GET.get("start"), end.replace(year=max(end.year - 1, 1)))
    if start > end:
        start, end = end, start
    channel = request.GET.get("channel") or None
    filters: dict[str, object] = {"start": start, "end": end, "channel": channel}
    owners = list(members_of(request.organization)) if name in BY_OWNER else []
    if owners:
        filters["owner"] = _owner(request.GET.get("owner"), owners)
    data = DASHBOARDS[name](request.organization, **filters)
    rows_key, group = data["table"]
    if request.GET.get("export") in ("csv", "xlsx"):
        columns = [*COLUMNS, *(CONVERSIONS if name == "marketing" else [])]
        return export_response(
            request.GET["export"],
            f"{name}-dashboard",
            [group, *columns],
            (
                [_export_key(group, row[group]), *(row.get(c) for c in columns)]
                for row in data[rows_key]
            ),
        )
    names = display_names(request.organization)
    context = {
        "data_span": None if data[rows_key] else _data_span(request.organization, start, end),
        "name": name,
        "data": data,
        "rows": data[rows_key],
        "group": group,
        "start": start,
        "end": end,
        "channel": channel or "",
        "owners": owners,
        "owner": filters.get("owner") or "",
        **names,
        "channels": sorted(code for code in names["channel_names"] if code != NO_CHANNEL),
        "as_of": kpis_as_of(request.organization),
        "title": {"marketing": _("Marketing"), "sales": _("Sales"), "leadership": _("Leadership")}[
            name
        ],
    }
    template = "dashboards/_body.html" if request.htmx else "dashboards/dashboard.html"
    return render(request, template, context)


def _export_key(group: str, key: object) -> object:
    """A row's key as an export writes it: leads without a channel as "No channel", a group
    of their own that no channel code can name (not even "unknown")."""
    return _("No channel") if group == "channel" and key is None else key


@require_GET
@member_required()
def home(request: MemberRequest) -> HttpResponse:
    """The member's overview: the active plan against what happened, and what needs them."""
    context = home_overview(request.membership, today=timezone.localdate())
    context["as_of"] = kpis_as_of(request.organization)
    return render(request, "dashboards/home.html", context)
