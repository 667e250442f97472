"""Every write of the SLA: the business calendar (calendar) and the agreement (agreements).
Imported from here."""

from sla.services.agreements import (
    agreement_amend,
    agreement_create,
    agreement_edit,
    agreement_sign,
    fingerprint,
    latest_version,
    proposed_terms,
    sides_to_sign,
)
from sla.services.calendar import calendar_update
from sla.services.queue import lead_accept, lead_reject, lead_sla

__all__ = [
    "agreement_amend",
    "agreement_create",
    "agreement_edit",
    "agreement_sign",
    "calendar_update",
    "fingerprint",
    "latest_version",
    "lead_accept",
    "lead_reject",
    "lead_sla",
    "proposed_terms",
    "sides_to_sign",
]
