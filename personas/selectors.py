"""Reads of personas, scoped to one organisation, with what a list or a page shows of each
version prefetched (a fixed number of queries however many personas and versions); and
discovery from the sales history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from crm.selectors import closed_deal_segments
from orgs.models import Organization
from personas.discovery import GROUPINGS, discover_segments
from personas.models import Approval, Persona, PersonaVersion


def _versions() -> QuerySet[PersonaVersion]:
    return (
        PersonaVersion.objects.order_by("-number")
        .select_related("created_by")
        .prefetch_related(
            "criteria",
            Prefetch("approvals", queryset=Approval.objects.select_related("by").order_by("at")),
        )
    )


def personas_of(organization: Organization, *, archived: bool | None = False) -> QuerySet[Persona]:
    """The organisation's personas, newest first, each with its versions (newest first),
    their criteria and approvals: `current_version` and `approved_version` read them without
    another query. `archived`: False (the default) leaves archived personas out, True keeps
    only them, None keeps all."""
    personas = Persona.objects.for_org(organization)
    if archived is not None:
        personas = personas.filter(archived_at__isnull=not archived)
    return personas.prefetch_related(Prefetch("versions", queryset=_versions()))


def persona_versions(persona: Persona) -> QuerySet[PersonaVersion]:
    """The persona's version history, newest first, with who approved which side when."""
    return _versions().filter(organization_id=persona.organization_id, persona=persona)


def discovery(
    organization: Organization,
    dimensions: Sequence[str],
    *,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """personas.discovery.discover's answer over the organisation's deals closed from `start`
    to `end` (both included, either may be None), by `dimensions` (one or two names of
    personas.discovery.DIMENSIONS), the sums made by the database: one query."""
    keys = [key for name in dimensions for key in GROUPINGS[name].keys]
    segments = closed_deal_segments(organization, by=keys, start=start, end=end)
    return discover_segments(segments, dimensions)
