"""The monthly review pack: one page per month for the joint review meeting, composed of
sections read from stored results only (plan targets, KPI facts, objectives' stored
progress, the SLA's stored scorecards and breaches, the plans' stored drift, the pulse's
answers, the review's own decisions): nothing is computed from the CRM's rows in a request.

A section is a builder that reads what it needs for one month and returns a dataclass, a
template partial that shows it, and, on that dataclass, `data()` for the API and `sheets()`
for the workbook. The pack is the list `SECTIONS`, in the order the meeting goes through
it; a new section is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django_stubs_ext import StrOrPromise

from crm.selectors import funnel_stage_codes, lifecycle_stage_names
from funnel.selectors import active_plan, channel_names
from kpis.selectors import kpi_months_span
from orgs.models import Organization
from reviews.pack_figures import PackMonths, pack_months, read_to
from reviews.pack_sheets import Sheet
from sla.selectors import calendar_of

if TYPE_CHECKING:
    from funnel.models import Plan


@dataclass(frozen=True)
class PackInput:
    """What every section reads the month with, read once for all of them."""

    organization: Organization
    month: date  # its first day
    now: datetime
    today: date  # in the organisation's time zone (its business calendar's)
    zone: str  # that time zone's name
    to: date  # the day the figures are read to: the month's last, or today while it runs
    plan: Plan | None  # the active plan
    stages: list[str]  # the funnel's stage codes, in order
    stage_names: dict[str, str] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        """The month is still going on: its figures are so far, its targets pro-rated."""
        return self.month == self.today.replace(day=1)

    @property
    def currency(self) -> str:
        return self.organization.currency


class SectionData(Protocol):
    """What a section's builder returns."""

    def data(self) -> dict[str, Any]: ...

    def sheets(self, pack: PackInput) -> list[Sheet]: ...


@dataclass(frozen=True)
class PackSection:
    key: str  # the section's anchor on the page and its key in the API's answer
    title: StrOrPromise
    template: str
    build: Callable[[PackInput], SectionData]


@dataclass(frozen=True)
class Part:
    """A section of one month's pack: what it is, and what it found."""

    section: PackSection
    found: SectionData

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def title(self) -> StrOrPromise:
        return self.section.title

    @property
    def template(self) -> str:
        return self.section.template


@dataclass(frozen=True)
class Pack:
    input: PackInput
    months: PackMonths
    parts: list[Part]

    def sheets(self) -> list[Sheet]:
        return [sheet for part in self.parts for sheet in part.found.sheets(self.input)]

    def data(self) -> dict[str, Any]:
        pack = self.input
        return {
            "month": f"{pack.month:%Y-%m}",
            "read_to": pack.to,
            "running": pack.running,
            "currency": pack.currency,
            "first_month": f"{self.months.first:%Y-%m}",
            "last_month": f"{self.months.last:%Y-%m}",
        } | {part.key: part.found.data() for part in self.parts}


@dataclass(frozen=True)
class Clock:
    """Now, and the organisation's day and time zone (its business calendar's): where its
    months begin and end."""

    now: datetime
    zone: str

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.zone)).date()


def clock_of(organization: Organization, now: datetime) -> Clock:
    """One query."""
    return Clock(now, calendar_of(organization).time_zone)


def months_of(organization: Organization, today: date) -> PackMonths:
    """The months the organisation has a pack for. One query."""
    span = kpi_months_span(organization)
    joined = organization.created_at.date().replace(day=1)
    return pack_months(
        first_data=span[0] if span else None, joined=joined, this_month=today.replace(day=1)
    )


def pack_calendar(organization: Organization, now: datetime) -> tuple[Clock, PackMonths]:
    """Now in the organisation's time zone, and the months it has a pack for. Two queries."""
    clock = clock_of(organization, now)
    return clock, months_of(organization, clock.today)


def pack_input(organization: Organization, month: date, clock: Clock) -> PackInput:
    today = clock.today
    return PackInput(
        organization=organization, month=month, now=clock.now, today=today, zone=clock.zone,
        to=read_to(month, today), plan=active_plan(organization),
        stages=funnel_stage_codes(organization),
        stage_names=lifecycle_stage_names(organization),
        channel_names=channel_names(organization),
    )  # fmt: skip


def review_pack(
    organization: Organization, month: date, *, clock: Clock, months: PackMonths
) -> Pack:
    """The pack of `month` (one the organisation has: see months_of), every section built."""
    from reviews.selectors.sections import SECTIONS

    pack = pack_input(organization, month, clock)
    return Pack(pack, months, [Part(section, section.build(pack)) for section in SECTIONS])
