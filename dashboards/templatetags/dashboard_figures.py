"""How the dashboards write their figures."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    """A rate (0.1053) as a percentage with one decimal, in the reader's locale ("10.5 %");
    a rate that cannot be taken (nothing to divide by) as a dash."""
    if rate is None:
        return "—"
    return f"{floatformat(rate * 100, 1)}\u00a0%"
