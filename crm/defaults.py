"""What a new organisation starts with: the usual lifecycle and pipeline stages and channels."""

from django.utils.translation import gettext_noop as _

LIFECYCLE_STAGES = [
    # (code, name, is_exit)
    ("lead", _("Lead"), False),
    ("mql", _("Marketing-qualified lead"), False),
    ("sql", _("Sales-qualified lead"), False),
    ("opportunity", _("Opportunity"), False),
    ("customer", _("Customer"), False),
    ("disqualified", _("Disqualified"), True),
    ("recycled", _("Recycled"), True),
]
# The roles of the default stages (crm.models.LifecycleStage.Role): an organisation's own
# are read with crm.selectors.stage_with_role, since admins may rename and add stages.
STAGE_ROLES = {"mql": "handoff", "customer": "customer"}

PIPELINE_STAGES = [
    ("discovery", _("Discovery")),
    ("proposal", _("Proposal")),
    ("negotiation", _("Negotiation")),
    ("closed", _("Closed")),
]

CHANNELS = [
    ("organic_search", _("Organic search")),
    ("paid_search", _("Paid search")),
    ("social", _("Social")),
    ("email", _("E-mail")),
    ("referral", _("Referral")),
    ("event", _("Event")),
    ("phone", _("Phone")),
    ("direct", _("Direct")),
    ("other", _("Other")),
]
