"""How much of the won revenue the approved personas describe, and the promising segments
none of them covers. Pure: the closed deals' rows (crm.selectors.closed_deals_for_discovery)
and the personas' approved criteria in, plain values out; no ORM, clock or settings.

A won deal fits a persona when its company (or lead) fits the persona's approved version,
by personas.calculations.fit on what the deal's row says of it: industry, employees, annual
revenue, country, channel and product. A deal's row says nothing of a job title or a custom
field, so criteria of those kinds count as missed here, as for a lead that lacks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from personas.calculations import Criterion, Kind, fit
from personas.discovery import ClosedDeal, discover

RATE = Decimal("0.0001")
# Kinds a deal's row cannot say anything of.
UNCHECKED_KINDS = frozenset({Kind.TITLE_WORDS, Kind.CUSTOM_FIELD})


@dataclass(frozen=True)
class ApprovedPersona:
    """A persona's approved version, as coverage reads it."""

    persona_id: int
    name: str
    version: int
    threshold: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class PersonaShare:
    persona: ApprovedPersona
    won_deals: int
    won_revenue: Decimal
    share: Decimal | None  # of all won revenue; None when nothing was won
    unchecked: tuple[Kind, ...]  # its criteria's kinds a deal cannot meet here


@dataclass(frozen=True)
class Coverage:
    won_revenue: Decimal  # all won deals' amounts
    personas: list[PersonaShare]
    any_persona: PersonaShare | None  # won deals fitting at least one (None: no persona)
    # High-lift, not small-sample segments that no persona covers, as discover gives them,
    # each with `covered_share`: the share of its won revenue from deals fitting a persona.
    uncovered: list[dict[str, Any]] = field(default_factory=list)


def deal_attributes(deal: ClosedDeal) -> dict[str, Any]:
    """What a deal's row says of its customer, as a lead's attributes for `fit`."""
    country = (deal.company_country or "").strip() or (deal.lead_country or "").strip()
    return {
        "industry": deal.industry,
        "employees": deal.employees,
        "annual_revenue": deal.annual_revenue,
        "country": country or None,
        "channel": deal.channel,
        "products": [deal.product] if (deal.product or "").strip() else [],
    }


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, ROUND_HALF_UP)


class _Fits:
    """Which personas a deal fits, remembered per distinct set of attributes (deals of one
    company share them): fit() runs once per company profile, not once per deal."""

    def __init__(self, personas: Sequence[ApprovedPersona]) -> None:
        self.personas = personas
        self.known: dict[tuple[Any, ...], tuple[bool, ...]] = {}

    def of(self, deal: ClosedDeal) -> tuple[bool, ...]:
        attributes = deal_attributes(deal)
        key = tuple(str(v) for v in attributes.values())
        if key not in self.known:
            self.known[key] = tuple(
                fit(p.criteria, attributes, p.threshold).fits for p in self.personas
            )
        return self.known[key]


def _share(persona: ApprovedPersona, deals: list[ClosedDeal], total: Decimal) -> PersonaShare:
    revenue = sum((d.amount or Decimal(0) for d in deals), Decimal(0))
    unchecked = tuple(sorted({c.kind for c in persona.criteria} & UNCHECKED_KINDS))
    return PersonaShare(persona, len(deals), revenue, _ratio(revenue, total), unchecked)


def _key(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _covered_share(segment: Mapping[str, Any], covered: Mapping[str, Any] | None) -> Decimal:
    """The share of the segment's won revenue (or, with no amounts known, of its won
    deals) that comes from deals fitting a persona."""
    if covered is None:
        return Decimal(0)
    if segment["won_revenue"]:
        return _ratio(covered["won_revenue"], segment["won_revenue"]) or Decimal(0)
    return _ratio(covered["won_deals"], segment["won_deals"]) or Decimal(0)


def coverage(
    rows: Iterable[Sequence[Any]],
    personas: Sequence[ApprovedPersona],
    segments: Sequence[Mapping[str, Any]],
    dimensions: Sequence[str],
) -> Coverage:
    """Each approved persona's share of the won revenue among the closed deals `rows`, the
    share fitting any of them, and those of `segments` (discover's, over the same rows and
    `dimensions`) with a lift above 1 and enough deals that no persona covers: a segment is
    covered when more than half of its won revenue comes from deals fitting a persona."""
    deals = [ClosedDeal._make(row) for row in rows]
    won = [d for d in deals if d.status == "won"]
    total = sum((d.amount or Decimal(0) for d in won), Decimal(0))
    fits = _Fits(personas)
    fitting: list[list[ClosedDeal]] = [[] for _ in personas]
    covered_rows = []
    for deal in won:
        flags = fits.of(deal)
        for i, fitted in enumerate(flags):
            if fitted:
                fitting[i].append(deal)
        if any(flags):
            covered_rows.append(deal)
    shares = [_share(p, d, total) for p, d in zip(personas, fitting, strict=True)]
    any_persona = None
    if personas:
        everyone = ApprovedPersona(0, "", 0, 0, ())
        any_persona = _share(everyone, covered_rows, total)
    covered = {_key(s["value"]): s for s in discover(covered_rows, dimensions)["segments"]}
    uncovered = []
    for segment in segments:
        lift = segment.get("lift")
        if lift is None or lift <= 1 or segment["small_sample"] or None in _key(segment["value"]):
            continue  # not promising, too few deals, or no profile to describe
        share = _covered_share(segment, covered.get(_key(segment["value"])))
        if share <= Decimal("0.5"):
            uncovered.append({**segment, "covered_share": share})
    return Coverage(total, shares, any_persona, uncovered)
