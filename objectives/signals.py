"""What objectives hears from the apps below: rewritten KPI facts refresh the progress of
the organisation's objectives (coalesced, after commit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver

from kpis.signals import facts_changed


@receiver(facts_changed, dispatch_uid="objectives-refresh-progress")
def refresh_progress_of_objectives(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    from objectives.services import objectives_schedule

    objectives_schedule(organization_id=organization_id)
