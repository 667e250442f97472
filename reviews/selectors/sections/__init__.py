"""The sections of the monthly review pack, in the order the meeting goes through them: the
plan against what happened along the journey, the shared objectives, the SLA's scorecard and
breaches, each channel's and campaign's results, the plans' drift and the alignment pulse,
and the decisions the review follows up.

Each is a module: a builder that reads one month through the other apps' selectors (stored
results only) and returns a dataclass that the page shows (its template partial), the API
answers (`data()`) and the workbook writes (`sheets()`). A new section is a module like
these and an entry in SECTIONS.
"""

from django.utils.translation import gettext_lazy as _

from reviews.selectors.pack import PackSection
from reviews.selectors.sections.decisions import DecisionsPart, decisions_part, pack_decisions
from reviews.selectors.sections.drift import DriftPart, drift_part
from reviews.selectors.sections.objectives import ObjectivesPart, objectives_part
from reviews.selectors.sections.plan import PlanPart, plan_part
from reviews.selectors.sections.pulse import PulsePart, pulse_part
from reviews.selectors.sections.results import ResultsPart, results_part
from reviews.selectors.sections.sla import SlaPart, sla_part

SECTIONS: list[PackSection] = [
    PackSection("plan", _("Plan versus actual"), "reviews/pack/_plan.html", plan_part),
    PackSection("objectives", _("Shared objectives"), "reviews/pack/_objectives.html", objectives_part),
    PackSection("sla", _("Sales-Marketing SLA"), "reviews/pack/_sla.html", sla_part),
    PackSection("results", _("Channels and campaigns"), "reviews/pack/_results.html", results_part),
    # The plan's drift and the alignment pulse, before the decisions they inform.
    PackSection("drift", _("Plan drift"), "reviews/pack/_drift.html", drift_part),
    PackSection("pulse", _("Alignment pulse"), "reviews/pack/_pulse.html", pulse_part),
    PackSection("decisions", _("Decisions"), "reviews/pack/_decisions.html", decisions_part),
]  # fmt: skip

__all__ = [
    "SECTIONS",
    "DecisionsPart",
    "DriftPart",
    "ObjectivesPart",
    "PlanPart",
    "PulsePart",
    "ResultsPart",
    "SlaPart",
    "pack_decisions",
]
