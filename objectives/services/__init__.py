"""Every write to objectives, by what it writes: the objectives and their owners
(objectives), their progress (progress), rep targets (splits), the set a plan proposes
(proposals). Imported from here."""

from objectives.services.objectives import (
    MAX_OBJECTIVES,
    MAX_OWNERS,
    Draft,
    check_input,
    draft_of,
    objective_check,
    objective_create,
    objective_delete,
    objective_reshare,
    objective_update,
    smart_shared,
)
from objectives.services.progress import (
    REFRESH_TASK,
    objectives_refresh,
    objectives_schedule,
    refresh_progress,
    scheduled_key,
)
from objectives.services.proposals import objectives_from_plan
from objectives.services.splits import SPLITTABLE_SCOPES, objective_split

__all__ = [
    "MAX_OBJECTIVES",
    "MAX_OWNERS",
    "REFRESH_TASK",
    "SPLITTABLE_SCOPES",
    "Draft",
    "check_input",
    "draft_of",
    "objective_check",
    "objective_create",
    "objective_delete",
    "objective_reshare",
    "objective_split",
    "objective_update",
    "objectives_from_plan",
    "objectives_refresh",
    "objectives_schedule",
    "refresh_progress",
    "scheduled_key",
    "smart_shared",
]
