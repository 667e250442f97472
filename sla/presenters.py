"""The agreement as plain data: what the API answers and the pages put into words."""

from __future__ import annotations

from typing import Any

from sla.models import Agreement
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
