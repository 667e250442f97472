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
from sla.services.breaches import breaches_escalate, breaches_notify, breaches_sweep
from sla.services.calendar import calendar_update
from sla.services.compliance import (
    compliance_mark,
    compliance_recompute,
    compliance_run,
    compliance_sweep,
)
from sla.services.queue import lead_accept, lead_reject, lead_sla

__all__ = [
    "agreement_amend",
    "agreement_create",
    "agreement_edit",
    "agreement_sign",
    "breaches_escalate",
    "breaches_notify",
    "breaches_sweep",
    "calendar_update",
    "compliance_mark",
    "compliance_recompute",
    "compliance_run",
    "compliance_sweep",
    "fingerprint",
    "latest_version",
    "lead_accept",
    "lead_reject",
    "lead_sla",
    "proposed_terms",
    "sides_to_sign",
]
