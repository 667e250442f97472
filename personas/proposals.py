"""A draft persona proposed from a segment of the sales history: the criteria that select
the segment's deals (industry, country, channel, product as a list of one; a size or revenue
band as its range), a name and the profile fields it fills. Pure: no ORM, clock or
settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from personas.calculations import Kind
from personas.discovery import DIMENSIONS, MAX_DIMENSIONS, REVENUE_BANDS, SIZE_BANDS
from smarketing.lib.decimals import plain_decimal

NAME_LENGTH = 120  # of a persona version's name
CENT = Decimal("0.01")
# The list criterion each dimension of one value becomes, and the profile field it fills.
LISTS = {
    "industry": (Kind.INDUSTRY_IN, "industries"),
    "country": (Kind.COUNTRY_IN, "countries"),
    "channel": (Kind.CHANNEL_IN, "channels"),
    "product": (Kind.PRODUCT_IN, "products"),
}


class ProposalError(ValueError):
    """The segment cannot be proposed (unknown, or not a segment discovery makes)."""


@dataclass(frozen=True)
class Proposal:
    name: str
    criteria: list[dict[str, Any]]
    profile: dict[str, str] = field(default_factory=dict)


def _bounds(bands: Sequence[tuple[Any, str]], band: str, *, inclusive: bool) -> dict[str, Any]:
    """The range of `band` as a criterion's params: discovery's band limits, both ends
    included (a band whose upper limit is excluded ends a cent below it)."""
    low = None
    for limit, name in bands:
        if name == band:
            high = None if limit is None else (limit if inclusive else limit - CENT)
            return {
                "min": None if low is None else plain_decimal(Decimal(low)),
                "max": None if high is None else plain_decimal(Decimal(high)),
            }
        if limit is not None:
            low = limit + 1 if inclusive else limit
    raise ProposalError(_("%(band)s is not a band discovery makes.") % {"band": band})


def segment_criterion(dimension: str, value: str) -> tuple[dict[str, Any], str | None]:
    """The criterion selecting the deals whose `dimension` is `value`, and the profile
    field it also fills (None for none)."""
    if dimension in LISTS:
        kind, profile_field = LISTS[dimension]
        return {"kind": kind.value, "weight": 1, "params": {"values": [value]}}, profile_field
    if dimension == "size_band":
        params = _bounds(SIZE_BANDS, value, inclusive=True)
        return {"kind": Kind.EMPLOYEES_BETWEEN.value, "weight": 1, "params": params}, (
            "company_sizes"
        )
    if dimension == "revenue_band":
        params = _bounds(REVENUE_BANDS, value, inclusive=False)
        return {"kind": Kind.ANNUAL_REVENUE_BETWEEN.value, "weight": 1, "params": params}, None
    raise ProposalError(_("Unknown dimension: %(name)s.") % {"name": dimension})


def propose(
    dimensions: Sequence[str], values: Sequence[str | None], labels: Sequence[str] = ()
) -> Proposal:
    """The draft persona for the segment where each of `dimensions` (one or two) has its
    value in `values`; `labels` are the values as people read them (a channel's name), for
    the name. The unknown segment (a value None or blank) cannot be proposed: no criterion
    selects "no industry"."""
    if not 1 <= len(dimensions) <= MAX_DIMENSIONS or len(values) != len(dimensions):
        raise ProposalError(_("Give one value for each dimension of the segment."))
    if len(set(dimensions)) < len(dimensions) or any(d not in DIMENSIONS for d in dimensions):
        raise ProposalError(_("Choose the segment from the discovery page."))
    if any(value is None or not str(value).strip() for value in values):
        raise ProposalError(
            _("The Unknown segment cannot become a persona: no criterion selects a missing value.")
        )
    given = [str(value).strip() for value in values]
    shown = [label or value for label, value in zip(labels or given, given, strict=True)]
    criteria, profile = [], {}
    for dimension, value, label in zip(dimensions, given, shown, strict=True):
        criterion, profile_field = segment_criterion(dimension, value)
        criteria.append(criterion)
        if profile_field:
            profile[profile_field] = label
    name = " · ".join(shown)
    if len(name) > NAME_LENGTH:
        name = name[: NAME_LENGTH - 1] + "…"
    return Proposal(name=name, criteria=criteria, profile=profile)
