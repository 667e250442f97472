from __future__ import annotations

from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter

from smarketing.lib.formatting import money

register = template.Library()


@register.simple_tag(takes_context=True)
def show(
    context: template.Context, value: object, kind: str = "text", record: object = None
) -> str:
    """A list cell: money in its record's currency (a deal's own) or else the organisation's,
    dates per the language, stages by name, '—' for blanks."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        organization = context["request"].organization
        own = getattr(record, "currency", "")
        return money(value, own or (organization.currency if organization else "EUR"))
    if kind == "stage":  # a lifecycle stage code, shown by the organisation's name for it
        names = context.get("stage_names") or {}
        return str(names.get(str(value), value))
    if kind == "date" and isinstance(value, (date, datetime)):
        return date_filter(value, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime):
        return date_filter(value, "SHORT_DATETIME_FORMAT")
    return str(value)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed (page, sort ...)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    return "?" + query.urlencode()


@register.filter
def param(query: object, name: str) -> str:
    """`request.GET|param:"stage"`: the value of one query parameter, '' when absent."""
    getter = getattr(query, "get", None)
    return str(getter(name, "")) if getter else ""


@register.filter
def dictget(mapping: object, key: str) -> str:
    """`document.columns|dictget:field.name`: a mapping's value, '' when absent."""
    return str(mapping.get(key, "")) if isinstance(mapping, dict) else ""


@register.filter
def jsonish(value: object) -> str:
    import json

    return json.dumps(value if isinstance(value, dict) else {}, ensure_ascii=False)
