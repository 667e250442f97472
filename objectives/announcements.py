"""What the objectives tell people (smarketing.lib.events): an objective's status moved.
Every move is announced (webhooks hear of each); its owners are notified when it moves to
at risk or off track."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from objectives.models import Objective, Owner, Status
from smarketing.lib.events import Happening, Kind, announce

WORRYING = {Status.AT_RISK, Status.OFF_TRACK}


def status_moved(objective: Objective, *, before: str, today: date) -> None:
    """Announce that `objective` moved from `before` to its status, once a day per move."""
    owners: tuple[int, ...] = ()
    if objective.status in WORRYING:
        owners = tuple(
            Owner.objects.filter(organization_id=objective.organization_id, objective=objective)
            .order_by("membership__user_id")
            .values_list("membership__user_id", flat=True)
        )
    announce(Happening(
        organization_id=objective.organization_id, kind=Kind.OBJECTIVE_STATUS,
        key=f"objective.status_changed:{objective.pk}:{today.isoformat()}:{before}:{objective.status}",
        data={
            "objective_id": objective.pk, "name": objective.title,
            "status": objective.status, "previous_status": before, "as_of": today.isoformat(),
        },
        recipients=owners,
        link=reverse("objective-detail", kwargs={"pk": objective.pk}),
    ))  # fmt: skip
