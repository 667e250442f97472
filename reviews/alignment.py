"""The alignment index, pure: how aligned marketing and sales are in one period, from what
they say (the pulse) and what they do (the SLA both signed, the leads sales accepts, the
incentives and objectives they share). Each part is a share from 0 to 1, higher is more
aligned; the index is their weighted mean, on 0 to 100, over the parts that have data (a
part with none is shown as such and leaves the others' weights to add up alone).

No ORM, clock or settings: the measured figures come in as plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SHARE = Decimal("0.0001")
SCORE = Decimal("0.1")

# The parts and their weights (they add up to 1). What people say counts most of any one
# part, the five measured signals the rest, equally.
WEIGHTS: dict[str, Decimal] = {
    "pulse": Decimal("0.25"),
    "sla_marketing": Decimal("0.15"),
    "sla_sales": Decimal("0.15"),
    "acceptance": Decimal("0.15"),
    "incentives": Decimal("0.15"),
    "on_track": Decimal("0.15"),
}
# Objective statuses that are judged, and those of them that count as on track.
JUDGED = frozenset({"on_track", "at_risk", "off_track", "achieved", "missed"})
ON_TRACK = frozenset({"on_track", "achieved"})


@dataclass(frozen=True)
class Part:
    code: str
    value: Decimal | None  # 0 to 1; None: no data
    weight: Decimal  # as set, 0 to 1
    weight_used: Decimal  # its share of the index as computed: 0 without data


@dataclass(frozen=True)
class Index:
    score: Decimal | None  # 0 to 100; None when no part has data
    parts: tuple[Part, ...]

    @property
    def missing(self) -> list[str]:
        return [p.code for p in self.parts if p.value is None]


def _share(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value)).quantize(SHARE, ROUND_HALF_UP)


def alignment_index(values: Mapping[str, Decimal | None]) -> Index:
    """The weighted mean of the parts with data, on 0 to 100; each part with the weight it
    has and the weight it carried (its weight over the weights of the parts with data)."""
    present = {code: _share(value) for code in WEIGHTS if (value := values.get(code)) is not None}
    total = sum((WEIGHTS[code] for code in present), Decimal(0))
    parts = tuple(
        Part(
            code=code,
            value=present.get(code),
            weight=weight,
            weight_used=(weight / total).quantize(SHARE, ROUND_HALF_UP)
            if code in present
            else Decimal(0),
        )
        for code, weight in WEIGHTS.items()
    )
    if not present:
        return Index(score=None, parts=parts)
    score = sum((WEIGHTS[code] * value for code, value in present.items()), Decimal(0)) / total
    return Index(score=(score * 100).quantize(SCORE, ROUND_HALF_UP), parts=parts)


def weighted(values: Iterable[tuple[Decimal | None, int]]) -> Decimal | None:
    """The months of a period as one figure: each month's share weighted by its volume (the
    MQLs it counts); None when no month has data."""
    known = [(value, volume) for value, volume in values if value is not None and volume > 0]
    volume = sum(v for _value, v in known)
    if not volume:
        return None
    return _share(sum((value * v for value, v in known), Decimal(0)) / volume)


def delivered_share(delivered: int, committed: int) -> Decimal | None:
    """Marketing keeping the SLA: MQLs delivered of those committed, at most all of them
    (delivering more than promised does not make up for another part); None without a
    commitment."""
    if committed <= 0:
        return None
    return _share(Decimal(delivered) / committed)


def mean_share(shares: Iterable[Decimal | None]) -> Decimal | None:
    """Sales keeping the SLA: the mean of its commitments' shares that were measured (touched
    within the window, attempts made, decided in time); None when none was."""
    known = [s for s in shares if s is not None]
    if not known:
        return None
    return _share(sum(known, Decimal(0)) / len(known))


def shared_weight(teams: Mapping[str, Mapping[str, Decimal]]) -> Decimal | None:
    """Of the incentive weight marketing and sales owners carry on the period's objectives,
    the share on shared ones; None when they carry none."""
    weight = sum((t.get("weight") or Decimal(0) for t in teams.values()), Decimal(0))
    if not weight:
        return None
    shared = sum((t.get("on_shared") or Decimal(0) for t in teams.values()), Decimal(0))
    return _share(shared / weight)


def on_track_share(statuses: Iterable[str]) -> Decimal | None:
    """Of the period's objectives already judged (not those not started or too early to
    tell), the share on track or achieved; None when none is judged yet."""
    judged = [s for s in statuses if s in JUDGED]
    if not judged:
        return None
    return _share(Decimal(sum(s in ON_TRACK for s in judged)) / len(judged))
