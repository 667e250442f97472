"""What the personas tell people (smarketing.lib.events): a version waiting for a side's
approval. The managers of the sides still to approve are asked, except whoever made the
change (they know): when a version is made, and when the other side has approved it."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from orgs.models import Role
from orgs.selectors import user_ids_with_roles
from personas.models import PersonaVersion, Side
from smarketing.lib.events import Happening, Kind, announce

APPROVERS = {Side.MARKETING: Role.MARKETING_MANAGER, Side.SALES: Role.SALES_MANAGER}


def approval_awaited(
    version: PersonaVersion, sides: Iterable[str], *, why: str, by: int | None
) -> None:
    """Ask the managers of `sides` to approve `version`; `why` (made, approved by the
    other side) keeps one announcement per cause."""
    sides = sorted(sides)
    roles = [APPROVERS[Side(side)] for side in sides]
    recipients = tuple(
        user_id for user_id in user_ids_with_roles(version.organization_id, roles) if user_id != by
    )
    if not recipients:
        return
    announce(Happening(
        organization_id=version.organization_id, kind=Kind.PERSONA_APPROVAL,
        key=f"persona.awaiting_approval:{version.pk}:{why}",
        data={
            "persona_id": version.persona_id, "version": version.number,
            "name": version.name, "sides": sides,
            "approved_by": why.removeprefix("approved-by-") if why.startswith("approved-by-") else "",
        },
        recipients=recipients,
        link=reverse("persona-detail", kwargs={"pk": version.persona_id}),
    ))  # fmt: skip
