"""What the SLA tells people (smarketing.lib.events): a breach to its owner and the owning
team's managers, an agreement version waiting for a side's signature, an agreement due for
renewal. Each is announced inside the transaction that made it, under a key that makes it
once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from django.urls import reverse

from orgs.models import Role
from orgs.selectors import user_ids_with_roles
from sla.models import Agreement, AgreementVersion, Breach, Side
from smarketing.lib.events import Happening, Kind, announce

# Who hears of a breach besides its owner: the managers of the side that broke it.
BREACH_MANAGERS = {Side.SALES: [Role.SALES_MANAGER], Side.MARKETING: [Role.MARKETING_MANAGER]}
# Whom a breach still open a while later is told again: the owner's managers.
ESCALATE_TO = {Side.SALES: [Role.SALES_MANAGER], Side.MARKETING: [Role.LEADERSHIP, Role.ADMIN]}
# Who signs for each side (an admin may stand in, but is not asked to).
SIGNERS = {
    Side.MARKETING: [Role.MARKETING_MANAGER],
    Side.SALES: [Role.SALES_MANAGER],
    Side.LEADERSHIP: [Role.LEADERSHIP],
}


def breaches_announce(breaches: Iterable[Breach]) -> int:
    """Announce each breach to its owner and the owning team's managers; how many."""
    count = 0
    for breach, managers in _with_managers(breaches, BREACH_MANAGERS):
        owner = (breach.owner_id,) if breach.owner_id else ()
        announce(Happening(
            organization_id=breach.organization_id, kind=Kind.SLA_BREACH,
            key=f"sla.breach:{breach.pk}", data=_breach_data(breach),
            recipients=tuple(sorted({*owner, *managers})), link=reverse("sla-breaches"),
        ))  # fmt: skip
        count += 1
    return count


def breaches_escalation_announce(breaches: Iterable[Breach], *, hours: int) -> int:
    """Announce each breach still open `hours` after it was told to the owner's managers
    (sales managers for sales; leadership and admins for marketing's months); how many."""
    count = 0
    for breach, managers in _with_managers(breaches, ESCALATE_TO):
        announce(Happening(
            organization_id=breach.organization_id, kind=Kind.SLA_ESCALATED,
            key=f"sla.escalated:{breach.pk}", data={**_breach_data(breach), "hours": hours},
            recipients=tuple(u for u in managers if u != breach.owner_id),
            link=reverse("sla-breaches"),
        ))  # fmt: skip
        count += 1
    return count


def _with_managers(
    breaches: Iterable[Breach], roles: dict[Side, list[Role]]
) -> Iterator[tuple[Breach, tuple[int, ...]]]:
    """Each breach with the users of `roles` for its side (read once an organisation and side)."""
    found: dict[tuple[int, str], tuple[int, ...]] = {}
    for breach in breaches:
        key = (breach.organization_id, breach.side)
        if key not in found:
            found[key] = user_ids_with_roles(breach.organization_id, roles[Side(breach.side)])
        yield breach, found[key]


def _breach_data(breach: Breach) -> dict[str, object]:
    return {
        "breach_id": breach.pk, "breach_kind": breach.kind, "side": breach.side,
        "lead_id": breach.lead_id, "lead_name": str(breach.lead) if breach.lead_id else "",
        "owner_id": breach.owner_id, "agreement_id": breach.agreement_id,
        "due": breach.due.isoformat(), "month": breach.month.isoformat(),
        "delivered": breach.delivered, "expected": breach.expected,
    }  # fmt: skip


def signature_awaited(version: AgreementVersion, sides: Iterable[str], *, why: str) -> None:
    """Tell the signers of `sides` that `version` waits for their signature; `why` (made,
    signed by the other side, edited) keeps one announcement per cause."""
    sides = sorted(sides)
    roles = [role for side in sides for role in SIGNERS[Side(side)]]
    recipients = user_ids_with_roles(version.organization_id, roles)
    if not recipients:
        return
    agreement = version.agreement
    announce(Happening(
        organization_id=version.organization_id, kind=Kind.AGREEMENT_SIGNATURE,
        key=f"agreement.awaiting_signature:{version.pk}:{why}:{'+'.join(sides)}",
        data={**_agreement_data(agreement), "version": version.number, "sides": sides,
              "signed_by": why.removeprefix("signed-by-") if why.startswith("signed-by-") else "",
              "edited": why.startswith("edited")},
        recipients=recipients,
        link=reverse("sla-agreement", kwargs={"pk": agreement.pk}),
    ))  # fmt: skip


def renewal_due(agreement: Agreement, end: date) -> None:
    """Tell both managers that the agreement ends soon with none after it."""
    announce(Happening(
        organization_id=agreement.organization_id, kind=Kind.AGREEMENT_RENEWAL,
        key=f"agreement.renewal_due:{agreement.pk}",
        data={**_agreement_data(agreement), "ends": end.isoformat()},
        recipients=user_ids_with_roles(
            agreement.organization_id, [Role.MARKETING_MANAGER, Role.SALES_MANAGER]
        ),
        link=reverse("sla-agreement", kwargs={"pk": agreement.pk}),
    ))  # fmt: skip


def _agreement_data(agreement: Agreement) -> dict[str, object]:
    return {
        "agreement_id": agreement.pk,
        "first_month": agreement.first_month.isoformat(),
        "last_month": agreement.last_month.isoformat(),
    }
