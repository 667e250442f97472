"""Each channel's and campaign's month: leads, MQLs, new customers, won revenue, cost, cost
per lead and ROI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from kpis.dictionary import derive
from kpis.selectors import kpi_rows, kpi_sums
from reviews.pack_figures import ResultLine, ranked
from reviews.pack_figures import result_line as line_of
from reviews.pack_sheets import Column, Kind, Sheet
from reviews.selectors.pack import PackInput

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class ResultsPart:
    channels: list[ResultLine]
    campaigns: list[ResultLine]
    total: ResultLine

    @property
    def tables(self) -> list[tuple[list[ResultLine], str, str, str]]:
        """(lines, heading, the column naming them, test id) of each table the page shows."""
        return [
            (self.channels, _("Channels"), _("Channel"), "channels"),
            (self.campaigns, _("Campaigns"), _("Campaign"), "campaigns"),
        ]

    def data(self) -> dict[str, Any]:
        def plain(line: ResultLine) -> dict[str, Any]:
            return {"key": line.key, "name": line.name, "leads": line.leads, "mqls": line.mqls,
                    "new_customers": line.new_customers, "won_revenue": line.won_revenue,
                    "cost": line.cost, "cost_per_lead": line.cost_per_lead, "roi": line.roi}  # fmt: skip

        return {
            "channels": [plain(line) for line in self.channels],
            "campaigns": [plain(line) for line in self.campaigns],
            "total": plain(self.total),
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        def columns(name: str) -> list[Column]:
            return [
                Column(name, width=28), Column(_("Leads"), Kind.COUNT), Column(_("MQLs"), Kind.COUNT),
                Column(_("New customers"), Kind.COUNT), Column(_("Won revenue"), Kind.MONEY, 16),
                Column(_("Cost"), Kind.MONEY, 16), Column(_("Cost per lead"), Kind.MONEY, 16),
                Column(_("ROI"), Kind.PERCENT),
            ]  # fmt: skip

        def rows(lines: list[ResultLine]) -> list[list[object]]:
            return [
                [line.name, line.leads, line.mqls, line.new_customers, line.won_revenue,
                 line.cost, line.cost_per_lead, line.roi]
                for line in [*lines, self.total]
            ]  # fmt: skip

        return [
            Sheet(_("Channels"), columns(_("Channel")), rows(self.channels)),
            Sheet(_("Campaigns"), columns(_("Campaign")), rows(self.campaigns)),
        ]


def results_part(pack: PackInput) -> ResultsPart:
    """The month's leads, MQLs, new customers, won revenue and cost per channel and per
    campaign (first touch: a deal counts for its lead's channel and campaign)."""
    month: dict[str, Any] = {"start": pack.month, "end": pack.month, "stages": pack.stages}
    organization = pack.organization
    names = pack.channel_names
    channels = [
        line_of(code, names.get(code, code) if code is not None else _("No channel"), row)
        for row in kpi_rows(organization, group_by="channel", **month)
        for code in [row["channel"]]
    ]
    campaigns = [
        line_of(row["campaign"], row["campaign_name"] or _("No campaign"), row)
        for row in kpi_rows(organization, group_by="campaign", **month)
    ]
    total = derive(kpi_sums(organization, group_by=None, **month)[0])
    return ResultsPart(
        ranked(channels), ranked(campaigns), line_of("all", _("All channels"), total)
    )
