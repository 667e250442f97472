"""Every read of objectives, by what it reads: a metric's history and the plan's figure
(history), the objectives, their owners and the scorecard (listing). Imported from here."""

from objectives.selectors.history import (
    PLAN_STAGES,
    TEAM_OF_ROLE,
    PlanFigure,
    Scope,
    metric_history,
    plan_figure,
    plan_month_profile,
    plan_of,
)
from objectives.selectors.listing import (
    EditorChoices,
    approved_personas,
    editor_choices,
    last_year_shares,
    members_of,
    objectives_of,
    plans_to_propose_from,
    rep_targets_of,
    scope_labels,
    scorecard,
    snapshots_of,
    team_of,
    weights_elsewhere,
)

__all__ = [
    "PLAN_STAGES",
    "TEAM_OF_ROLE",
    "EditorChoices",
    "PlanFigure",
    "Scope",
    "approved_personas",
    "editor_choices",
    "last_year_shares",
    "members_of",
    "metric_history",
    "objectives_of",
    "plan_figure",
    "plan_month_profile",
    "plan_of",
    "plans_to_propose_from",
    "rep_targets_of",
    "scope_labels",
    "scorecard",
    "snapshots_of",
    "team_of",
    "weights_elsewhere",
]
