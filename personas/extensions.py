"""What personas adds to the CRM's leads (smarketing/lib/extensions.py): each lead's best
fit to the approved personas in the lead list (a column, and the filters `persona` and
`fit_min`), in the API (`fit`), and on the lead's page with the reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from crm.selectors import lead_profiles
from personas.calculations import criterion, fit
from personas.models import Criterion, LeadFit, Persona, PersonaVersion
from personas.selectors import approved_measures

FIT_MINIMA = (50, 60, 70, 80, 90, 100)


def _fits(organization: Any) -> QuerySet[LeadFit]:
    return LeadFit.objects.filter(organization_id=organization.pk)


class LeadFitExtension:
    kind = "leads"
    name = "fit"
    label: StrOrPromise = gettext_lazy("Persona fit")
    params: tuple[str, ...] = ("persona", "fit_min")
    component = "Lead"
    schema: dict[str, Any] = {
        "type": "object",
        "nullable": True,
        "description": "The lead's best fit among the approved buyer personas; null until "
        "measured (no persona approved yet, or a refresh waits).",
        "properties": {
            "persona": {"type": "integer"},
            "persona_name": {"type": "string"},
            "version": {"type": "integer", "description": "The approved version measured."},
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "threshold": {"type": "integer", "minimum": 0, "maximum": 100},
            "fits": {"type": "boolean", "description": "score >= threshold: a qualified lead"},
            "criteria": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string"},
                        "weight": {"type": "integer"},
                        "met": {"type": "boolean"},
                    },
                },
            },
        },
    }
    parameters: list[dict[str, Any]] = [
        {
            "name": "persona",
            "in": "query",
            "required": False,
            "schema": {"type": "integer"},
            "description": "Only the leads whose best fit is this persona (its id).",
        },
        {
            "name": "fit_min",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "maximum": 100},
            "description": "Only the leads whose fit score is at least this.",
        },
    ]

    def filter(self, organization: Any, rows: QuerySet[Any], params: Mapping[str, str]) -> Any:
        fits = _fits(organization)
        if "persona" in params:
            persona = params["persona"]
            if not _whole(persona, digits=18) or not (
                Persona.objects.for_org(organization).filter(pk=int(persona)).exists()
            ):
                message = _("No buyer persona of this organisation has the id %(id)s.")
                raise ValidationError({"persona": message % {"id": persona[:20]}})
            fits = fits.filter(persona_id=int(persona))
        if "fit_min" in params:
            least = params["fit_min"]
            if not _whole(least, digits=3) or int(least) > 100:
                raise ValidationError(
                    {"fit_min": _("Give the least fit score as a whole number from 0 to 100.")}
                )
            fits = fits.filter(score__gte=int(least))
        return rows.filter(pk__in=fits.values("lead_id"))

    def choices(self, organization: Any) -> list[tuple[str, str, list[tuple[str, str]]]]:
        personas = [(str(m.persona_id), name) for m, name in _approved_names(organization)]
        if not personas:
            return []
        least = [(str(n), _("Fit score at least %(n)s") % {"n": n}) for n in FIT_MINIMA]
        return [("persona", _("Persona"), personas), ("fit_min", _("Fit score"), least)]

    def values(self, organization: Any, ids: list[int]) -> dict[int, Any]:
        rows = (
            _fits(organization)
            .filter(lead_id__in=ids)
            .select_related("version")
            .prefetch_related(
                Prefetch("version__criteria", queryset=Criterion.objects.order_by("position"))
            )
        )
        return {row.lead_id: _shown(row) for row in rows}

    def cell(self, value: Any) -> str:
        if value is None:
            return "—"
        shown = _("%(score)s / 100 · %(persona)s") % {
            "score": value["score"],
            "persona": value["persona_name"],
        }
        return f"✓ {shown}" if value["fits"] else shown

    def panel(self, request: HttpRequest, record: Any) -> str:
        organization = request.organization  # type: ignore[attr-defined]
        stored = _fits(organization).filter(lead_id=record.pk).select_related("version").first()
        reasons = []
        if stored is not None:
            criteria = [
                criterion(c.kind, c.weight, c.params)
                for c in stored.version.criteria.order_by("position")
            ]
            profile = lead_profiles(organization.pk, [record.pk]).get(record.pk, {})
            reasons = list(fit(criteria, profile, stored.version.threshold).reasons)
        context = {
            "fit": stored,
            "reasons": reasons,
            "has_personas": stored is not None or bool(approved_measures(organization.pk)),
        }
        return render_to_string("personas/_lead_fit.html", context, request=request)


def _whole(value: str, *, digits: int) -> bool:
    """A whole number of at most `digits` ASCII digits (Python's isdigit takes "²" too)."""
    return value.isascii() and value.isdigit() and len(value) <= digits


def _approved_names(organization: Any) -> list[tuple[Any, str]]:
    """Each approved persona's measure and the name its approved version gives it."""
    measures = approved_measures(organization.pk)
    names = dict(
        PersonaVersion.objects.filter(pk__in=[m.version_id for m in measures]).values_list(
            "pk", "name"
        )
    )
    return [(m, names[m.version_id]) for m in measures]


def _shown(row: LeadFit) -> dict[str, Any]:
    return {
        "persona": row.persona_id,
        "persona_name": row.version.name,
        "version": row.version.number,
        "score": row.score,
        "threshold": row.version.threshold,
        "fits": row.fits,
        "criteria": [
            {"kind": c.kind, "weight": c.weight, "met": row.criterion_met(i)}
            for i, c in enumerate(row.version.criteria.all())
        ],
    }
