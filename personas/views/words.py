"""What the pages say of a persona: its status, its criteria and its approvals in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from personas.calculations import Kind
from personas.models import Approval, Persona, PersonaVersion, Side
from smarketing.lib.formatting import money, number


def status(persona: Persona) -> str:
    """Draft; awaiting one side's approval; approved vN; approved vN with a draft vM
    awaiting approval; archived."""
    if persona.archived_at is not None:
        return _("Archived")
    current, approved = persona.current_version, persona.approved_version
    assert current is not None, "a persona is created with its first version"
    if current.is_approved:
        return _("Approved v%(n)s") % {"n": current.number}
    given = {a.side for a in current.approvals.all()}
    if approved is not None:
        waiting = _("awaiting approval")
        if Side.MARKETING in given:
            waiting = _("awaiting sales approval")
        elif Side.SALES in given:
            waiting = _("awaiting marketing approval")
        return _("Approved v%(n)s; new draft v%(m)s %(waiting)s") % {
            "n": approved.number,
            "m": current.number,
            "waiting": waiting,
        }
    if Side.MARKETING in given:
        return _("Awaiting sales approval")
    if Side.SALES in given:
        return _("Awaiting marketing approval")
    return _("Draft")


@dataclass(frozen=True)
class SideApproval:
    """One side of a version: its approval if given."""

    side: str
    label: str
    by: str
    at: datetime | None
    stood_in: bool

    @property
    def given(self) -> bool:
        return self.at is not None

    @property
    def stood_in_words(self) -> str:
        if self.side == Side.MARKETING:
            return _("an admin stood in as marketing")
        return _("an admin stood in as sales")


def sides(version: PersonaVersion) -> list[SideApproval]:
    """Marketing then sales: who approved each side of `version`, when, and whether an
    admin stood in (the approvals prefetched)."""
    given: dict[str, Approval] = {a.side: a for a in version.approvals.all()}
    shown = []
    for side in Side:
        approval = given.get(side)
        shown.append(
            SideApproval(
                side=side.value,
                label=str(side.label),
                by="" if approval is None else str(approval.by or _("a former member")),
                at=None if approval is None else approval.at,
                stood_in=bool(approval and approval.stood_in_as_admin),
            )
        )
    return shown


def _one_of(label: str, values: list[str]) -> str:
    if len(values) == 1:
        return _("%(what)s is %(value)s") % {"what": label, "value": values[0]}
    return _("%(what)s is one of %(values)s") % {"what": label, "values": ", ".join(values)}


def _range(label: str, low: str | None, high: str | None) -> str:
    if low and high:
        return _("%(what)s from %(min)s to %(max)s") % {"what": label, "min": low, "max": high}
    if low:
        return _("%(what)s at least %(min)s") % {"what": label, "min": low}
    return _("%(what)s at most %(max)s") % {"what": label, "max": high}


def criterion_words(
    kind: str, params: dict[str, Any], *, currency: str, channel_names: dict[str, str]
) -> str:
    """A criterion as people read it: "Industry is one of Software, Retail", "Employees
    from 51 to 200", "Annual revenue at least €1,000,000"."""
    values = [str(v) for v in params.get("values", [])]
    if kind == Kind.EMPLOYEES_BETWEEN:
        low, high = (number(params.get(end)) or None for end in ("min", "max"))
        return _range(_("Employees"), low, high)
    if kind == Kind.ANNUAL_REVENUE_BETWEEN:
        low, high = (money(params.get(end), currency) or None for end in ("min", "max"))
        return _range(_("Annual revenue"), low, high)
    if kind == Kind.CHANNEL_IN:
        return _one_of(_("Channel"), [channel_names.get(v, v) for v in values])
    if kind == Kind.TITLE_WORDS:
        words = ", ".join(f"«{v}»" for v in values)
        if len(values) == 1:
            return _("Job title contains %(words)s") % {"words": words}
        return _("Job title contains one of %(words)s") % {"words": words}
    if kind == Kind.PRODUCT_IN:
        return _one_of(_("Product"), values)
    if kind == Kind.CUSTOM_FIELD:
        return _one_of(_("Field «%(field)s»") % {"field": params.get("field", "")}, values)
    label = {Kind.INDUSTRY_IN: _("Industry"), Kind.COUNTRY_IN: _("Country")}.get(Kind(kind), kind)
    return _one_of(str(label), values)


def criteria_words(
    version: PersonaVersion, *, currency: str, channel_names: dict[str, str]
) -> list[tuple[str, int]]:
    """The version's criteria in words, each with its weight (the criteria prefetched)."""
    return [
        (
            criterion_words(c.kind, c.params, currency=currency, channel_names=channel_names),
            c.weight,
        )
        for c in sorted(version.criteria.all(), key=lambda c: (c.position, c.pk))
    ]


def profile_words(version: PersonaVersion) -> list[tuple[str, str]]:
    """The profile people filled in, each field with its name, blanks left out (the name,
    description and threshold are shown apart)."""
    return [
        (
            str(getattr(PersonaVersion._meta.get_field(name), "verbose_name", name)),
            getattr(version, name),
        )
        for name in PersonaVersion.PROFILE_FIELDS
        if name not in ("name", "description", "threshold") and getattr(version, name)
    ]
