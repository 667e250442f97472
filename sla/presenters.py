"""The agreement, its compliance and its breaches as plain data: what the API answers and
the pages put into words."""

from __future__ import annotations

from typing import Any

from sla.compliance import Compliance
from sla.models import Agreement, Breach
from sla.selectors import version_status
from sla.services import fingerprint


def agreement_data(agreement: Agreement) -> dict[str, Any]:
    """The agreement with its versions (newest first) and their signatures, as plain data
    (the versions and signatures prefetched, as agreements_of gives them)."""
    versions = list(agreement.versions.all())
    for version in versions:
        version.agreement = agreement  # the fingerprint reads its period
    in_force = next((v.number for v in versions if version_status(v) == "in_force"), None)
    return {
        "id": agreement.pk,
        "first_month": f"{agreement.first_month:%Y-%m}",
        "last_month": f"{agreement.last_month:%Y-%m}",
        "in_force_version": in_force,
        "versions": [
            {
                "number": v.number,
                "status": version_status(v),
                "reason": v.reason,
                "terms": v.terms(),
                "fingerprint": fingerprint(v),
                "in_force_at": v.in_force_at,
                "superseded_at": v.superseded_at,
                "signatures": [
                    {
                        "side": s.side,
                        "by": s.by_name,
                        "stood_in_as_admin": s.stood_in_as_admin,
                        "at": s.at,
                        "fingerprint": s.fingerprint,
                    }
                    for s in v.signatures.all()
                ],
            }
            for v in versions
        ],
    }


def compliance_data(found: Compliance) -> dict[str, Any]:
    """The scorecard as the API answers it: shares as fractions (0 to 1), hours as exact
    decimals, money in the organisation's currency."""
    return {
        "agreement": found.agreement.pk,
        "version": found.version.number,
        "month": None if found.month is None else f"{found.month:%Y-%m}",
        "first_month": f"{found.first_month:%Y-%m}",
        "last_month": f"{found.last_month:%Y-%m}",
        "computed_at": found.computed_at,
        "currency": found.currency,
        "marketing": found.marketing,
        "sales": found.sales,
        "owes": found.owes,
        "shortfall": {
            part: {
                "mqls": loss.mqls,
                "customers": loss.customers,
                "revenue": loss.revenue,
                "note": loss.note,
            }
            for part, loss in found.shortfall.items()
        },
    }


def breach_data(breach: Breach) -> dict[str, Any]:
    return {
        "id": breach.pk,
        "side": breach.side,
        "kind": breach.kind,
        "lead": None
        if breach.lead_id is None
        else {"id": breach.lead_id, "name": str(breach.lead)},
        "owner": None
        if breach.owner is None
        else {"id": breach.owner_id, "name": breach.owner.get_full_name() or breach.owner.username},
        "month": f"{breach.month:%Y-%m}",
        "due": breach.due,
        "found_at": breach.found_at,
        "delivered": breach.delivered,
        "expected": breach.expected,
        "resolved_at": breach.resolved_at,
        "notified_at": breach.notified_at,
        "escalated_at": breach.escalated_at,
    }
