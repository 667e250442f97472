"""An objective as plain data, for the API and the pages alike: its check explained in the
reader's language, its progress, owners and rep targets."""

from __future__ import annotations

from typing import Any

from objectives.metrics import BY_CODE
from objectives.models import Objective
from objectives.reasons import explained
from objectives.selectors import team_of


def _progress(progress: dict[str, Any], as_of: Any) -> dict[str, Any] | None:
    return {**progress, "as_of": as_of} if progress else None


def scope_of(objective: Objective) -> dict[str, Any] | None:
    if objective.channel_id and objective.channel is not None:
        return {"channel": objective.channel.code, "name": objective.channel.name}
    if objective.campaign_id and objective.campaign is not None:
        return {"campaign": objective.campaign_id, "name": objective.campaign.name}
    if objective.persona_id:
        return {"persona": objective.persona_id}
    if objective.product:
        return {"product": objective.product, "name": objective.product}
    return None


def objective_data(objective: Objective, currency: str) -> dict[str, Any]:
    """Owners and rep targets read from the prefetched rows (objectives_of)."""
    metric = BY_CODE[objective.metric]
    return {
        "id": objective.pk,
        "title": objective.title,
        "metric": objective.metric,
        "metric_name": str(metric.name),
        "unit": str(metric.unit),
        "target": objective.target,
        "direction": objective.direction,
        "first_month": f"{objective.first_month:%Y-%m}",
        "last_month": f"{objective.last_month:%Y-%m}",
        "scope": scope_of(objective),
        "plan": objective.plan_id,
        "shared": objective.shared,
        "owners": [
            {
                "member": owner.membership_id,
                "name": str(owner.membership.user),
                "role": owner.membership.role,
                "team": team_of(owner.membership.role),
                "weight": owner.weight,
            }
            for owner in objective.owners.all()
        ],
        "status": objective.status,
        "smart": explained(objective.smart, objective.metric, currency)
        if objective.smart
        else None,
        "checked_at": objective.checked_at,
        "progress": _progress(objective.progress, objective.progress_as_of),
        "split_method": objective.split_method,
        "rep_targets": [
            {
                "member": rep.membership_id,
                "name": str(rep.membership.user),
                "target": rep.target,
                "status": rep.status,
                "progress": _progress(rep.progress, objective.progress_as_of),
            }
            for rep in objective.rep_targets.all()
        ],
    }
