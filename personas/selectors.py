"""Reads of personas, scoped to one organisation, with what a list or a page shows of each
version prefetched (a fixed number of queries however many personas and versions); and
discovery from the sales history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet

from crm.selectors import closed_deal_segments
from orgs.models import Organization
from personas.calculations import criterion
from personas.discovery import GROUPINGS, discover_segments
from personas.fitting import Measure
from personas.models import (
    Approval,
    Criterion,
    LeadFit,
    Persona,
    PersonaSettings,
    PersonaVersion,
)


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


def approved_measures(organization_id: int) -> list[Measure]:
    """What every lead of the organisation is measured against: each persona's approved
    version (archived personas left out), in the order of the personas' ids, the order that
    breaks a tie between two equally good fits. Two queries."""
    versions = (
        PersonaVersion.objects.filter(
            organization_id=organization_id,
            approved_at__isnull=False,
            persona__archived_at__isnull=True,
        )
        .order_by("persona_id", "-number")
        .distinct("persona_id")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("position")))
    )
    return [
        Measure(
            persona_id=v.persona_id,
            version_id=v.pk,
            threshold=v.threshold,
            criteria=tuple(criterion(c.kind, c.weight, c.params) for c in v.criteria.all()),
        )
        for v in versions
    ]


def persona_settings(organization_id: int) -> PersonaSettings:
    """The organisation's persona settings; the defaults (not saved) if it never set them."""
    found = PersonaSettings.objects.filter(organization_id=organization_id).first()
    return found or PersonaSettings(organization_id=organization_id)


def persona_names(organization: Organization, persona_ids: list[int]) -> dict[int, str]:
    """The name of each persona by id: its approved version's, else its newest version's
    (an archived persona keeps the name it had). One query."""
    names: dict[int, str] = {}
    versions = (
        PersonaVersion.objects.filter(organization=organization, persona_id__in=persona_ids)
        .order_by("persona_id", F("approved_at").desc(nulls_last=True), "-number")
        .values_list("persona_id", "name")
    )
    for persona_id, name in versions:
        names.setdefault(persona_id, name)
    return names


def fitting_counts(organization: Organization) -> dict[int, int]:
    """How many leads fit each persona best now, by persona id (one query, by the index of
    the fits by persona)."""
    return dict(
        LeadFit.objects.filter(organization=organization, fits=True)
        .values_list("persona_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


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


def approved_persona_names(organization: Organization) -> dict[int, str]:
    """Each persona with an approved version (archived ones left out), by id: the name of
    its newest approved version. One query."""
    versions = (
        PersonaVersion.objects.filter(
            organization=organization,
            approved_at__isnull=False,
            persona__archived_at__isnull=True,
        )
        .order_by("persona_id", "-number")
        .distinct("persona_id")
        .values_list("persona_id", "name")
    )
    return dict(versions)
