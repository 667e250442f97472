"""The decisions the review follows up (the last review's, earlier ones still open) and
takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from orgs.models import Organization
from reviews.pack_figures import FollowUp, follow_up
from reviews.pack_sheets import Column, Kind, Sheet
from reviews.selectors.decisions import decision_data, decisions_for_pack
from reviews.selectors.pack import PackInput
from smarketing.lib.formatting import month_label
from smarketing.lib.months import add_months

if TYPE_CHECKING:
    from reviews.models import ReviewDecision


@dataclass(frozen=True)
class DecisionsPart:
    month: date  # the review's
    found: FollowUp
    today: date

    @property
    def previous(self) -> date:
        """The review before, whose decisions this one follows up."""
        return add_months(self.month, -1)

    def data(self) -> dict[str, Any]:
        def plain(decisions: list[ReviewDecision]) -> list[dict[str, Any]]:
            return [decision_data(d, self.today) for d in decisions]

        return {
            "last_review": plain(self.found.last_review),
            "carried_over": plain(self.found.carried_over),
            "this_review": plain(self.found.this_review),
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Review"), width=14), Column(_("Decision"), width=60), Column(_("Owner"), width=22),
            Column(_("Due"), Kind.DATE), Column(_("State")), Column(_("Done at"), Kind.DATETIME, 18),
        ]  # fmt: skip
        decisions = [*self.found.last_review, *self.found.carried_over, *self.found.this_review]
        zone = ZoneInfo(pack.zone)
        rows = [
            [month_label(d.month), d.text, str(d.owner.user) if d.owner else "", d.due,
             str(d.state(self.today).label),
             d.done_at.astimezone(zone).replace(tzinfo=None) if d.done_at else None]
            for d in decisions
        ]  # fmt: skip
        return [Sheet(_("Decisions"), columns, rows)]


def decisions_part(pack: PackInput) -> DecisionsPart:
    return pack_decisions(pack.organization, pack.month, pack.today)


def pack_decisions(organization: Organization, month: date, today: date) -> DecisionsPart:
    """The decisions the pack of `month` follows up and takes. One query."""
    found = follow_up(decisions_for_pack(organization, month), month)
    return DecisionsPart(month, found, today)
