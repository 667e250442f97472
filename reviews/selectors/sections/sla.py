"""The Sales-Marketing SLA in the month: both sides' scorecard (who owes whom, the
shortfall in customers and revenue) and the month's breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.selectors.pack import PackInput
from sla.compliance import Compliance, compliance_of
from sla.compliance_words import PARTS, scorecard_words
from sla.models import Breach
from sla.presenters import breach_data, compliance_data
from sla.selectors import breaches_of
from smarketing.lib.formatting import month_label

if TYPE_CHECKING:
    pass


BREACHES_SHOWN = 10  # the month's latest: the list page has them all


@dataclass(frozen=True)
class SlaPart:
    found: Compliance | None  # None: no signed agreement covers the month
    words: dict[str, Any]  # sla.compliance_words.scorecard_words
    breaches: list[Breach]  # the month's latest
    breach_count: int
    open_count: int
    zone: str  # the business calendar's: deadlines are read in it

    def data(self) -> dict[str, Any]:
        return {
            "scorecard": None if self.found is None else compliance_data(self.found),
            "breach_count": self.breach_count,
            "open_breaches": self.open_count,
            "breaches": [breach_data(b) for b in self.breaches],
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [Column(_("Measure"), width=44), Column(_("Value"), Kind.DECIMAL, 16),
                   Column(_("Agreed"), Kind.DECIMAL, 16)]  # fmt: skip
        rows = _scorecard_rows(self.found) if self.found else []
        breaches = [
            [b.get_kind_display(), str(b.lead) if b.lead_id else month_label(b.month),
             (b.owner.get_full_name() or b.owner.username) if b.owner else "",
             Cell(self._local(b.due), Kind.DATETIME),
             _("resolved") if b.resolved_at else _("open"), Cell(self._local(b.found_at), Kind.DATETIME)]
            for b in self.breaches
        ]  # fmt: skip
        return [
            Sheet(_("SLA scorecard"), columns, rows),
            Sheet(_("SLA breaches"), [
                Column(_("Breach"), width=30), Column(_("Lead or month"), width=28),
                Column(_("Owner"), width=22), Column(_("Due"), width=18), Column(_("State")),
                Column(_("Found"), width=18),
            ], breaches),
        ]  # fmt: skip

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)


def _scorecard_rows(found: Compliance) -> list[list[object]]:
    m, s = found.marketing, found.sales
    count, share = Kind.COUNT, Kind.PERCENT

    def row(label: str, value: Any, kind: Kind, agreed: Any = None) -> list[object]:
        return [label, Cell(value, kind), Cell(agreed, kind)]

    rows = [
        row(_("MQLs delivered"), m["delivered"], count, m["committed"]),
        row(_("Accepted by sales"), m["acceptance_rate"], share, m["acceptance_bar"]),
        row(_("Fit a buyer persona"), m["fit_share"], share, m["fit_bar"]),
        row(_("Months behind"), m["breaches"], count),
        row(_("First touch, median (business hours)"), s["response_p50_hours"], Kind.DECIMAL,
            s["window_hours"]),
        row(_("First touch, 90th percentile (business hours)"), s["response_p90_hours"],
            Kind.DECIMAL),
        row(_("Touched within the window"), s["within_window_share"], share),
        row(_("Attempts made in time"), s["attempts_share"], share),
        row(_("Accepted or rejected in time"), s["decided_in_time_share"], share),
        row(_("Not touched, overdue now"), s["untouched_overdue"], count),
        row(_("Not decided, overdue now"), s["undecided_overdue"], count),
    ]  # fmt: skip
    rows += [row(str(Breach.Kind(k).label), n, count) for k, n in s["breaches"].items()]
    for part, loss in found.shortfall.items():
        named = {"part": PARTS[part][0]}
        rows.append(row(_("Shortfall, %(part)s: MQLs") % named, loss.mqls, Kind.DECIMAL))
        rows.append(row(_("Shortfall, %(part)s: customers") % named, loss.customers, Kind.DECIMAL))
        rows.append(row(_("Shortfall, %(part)s: revenue") % named, loss.revenue, Kind.MONEY))
    return rows


def sla_part(pack: PackInput) -> SlaPart:
    found = compliance_of(pack.organization, month=pack.month, now=pack.now)
    if found is None:
        return SlaPart(None, {}, [], 0, 0, pack.zone)
    month = breaches_of(pack.organization, month=pack.month)
    counts = month.aggregate(all=Count("pk"), open=Count("pk", filter=Q(resolved_at__isnull=True)))
    words = scorecard_words(found, this_month=pack.today.replace(day=1))
    return SlaPart(
        found, words, list(month[:BREACHES_SHOWN]), counts["all"], counts["open"], pack.zone
    )
