"""What the SLA adds to pages of the apps below it (smarketing.lib.page_sections): beside
the organisation's response window and the metric dictionary's response metric, the window
the agreement in force sets, in business hours, which is the one the teams signed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from crm.selectors import StageRole, lifecycle_stage_names, stage_with_role
from sla.selectors import version_for


def window_in_force(request: HttpRequest) -> dict[str, Any]:
    organization = request.organization  # type: ignore[attr-defined]
    version = version_for(organization, timezone.now())
    handoff = stage_with_role(organization, StageRole.HANDOFF) or ""
    return {
        "version": version if version and version.in_force_at else None,
        "handoff": lifecycle_stage_names(organization).get(handoff, handoff),
        "window_hours": organization.response_window_hours,
    }
