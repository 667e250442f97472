"""The personas' pages: the list, a persona with its approvals and version history, an old
version as it was, the editor, and the approve and archive buttons. Every write goes
through personas.services, which holds the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.selectors import channel_names
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, member_required
from personas.calculations import MAX_CRITERIA, Kind, normalise
from personas.forms import (
    CRITERIA_PREFIX,
    CriteriaFormSet,
    CriterionForm,
    PersonaForm,
    criteria_chosen,
    place_errors,
    rows_typed,
)
from personas.models import Persona, PersonaVersion, Side
from personas.selectors import fitting_counts, persona_settings, personas_of
from personas.services import (
    approval_refusal,
    persona_approve,
    persona_archive,
    persona_create,
    persona_settings_update,
    persona_update,
)
from personas.views.words import criteria_words, profile_words, sides, status


def _persona(request: MemberRequest, pk: int) -> Persona:
    """The organisation's persona (archived or not) with all its versions prefetched;
    another organisation's id is a 404."""
    return get_object_or_404(personas_of(request.organization, archived=None), pk=pk)


@require_GET
@member_required()
def persona_list(request: MemberRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    rows: list[dict[str, Any]] = []
    for persona in personas_of(request.organization, archived=archived):
        current = persona.current_version
        assert current is not None
        shown = persona.approved_version or current
        rows.append(
            {
                "persona": persona,
                "version": current,
                "status": status(persona),
                "criteria": len(current.criteria.all()),
                "approvals": [s for s in sides(shown) if s.given],
                "approvals_of": shown,
            }
        )
    fitting = fitting_counts(request.organization)
    for row in rows:
        row["fitting"] = fitting.get(row["version"].persona_id, 0)
    context = {
        "rows": rows,
        "archived": archived,
        "can_edit": can(request.membership.role, Action.EDIT_PERSONAS),
        "settings": persona_settings(request.organization.pk),
    }
    return render(request, "personas/list.html", context)


@require_POST
@member_required(Action.EDIT_PERSONAS)
def persona_settings_change(request: MemberRequest) -> HttpResponse:
    """Switch the qualification of new leads on ("1") or off (anything else)."""
    chosen = persona_settings_update(
        organization=request.organization,
        by=request.user,
        qualify_new_leads=request.POST.get("qualify_new_leads") == "1",
    )
    if chosen.qualify_new_leads:
        messages.success(
            request, _("From now on, a new lead that fits an approved persona becomes an MQL.")
        )
    else:
        messages.success(request, _("New leads are no longer qualified by their fit."))
    return redirect("persona-list")


def _version_context(request: MemberRequest, version: PersonaVersion) -> dict[str, Any]:
    return {
        "version": version,
        "criteria": criteria_words(
            version,
            currency=request.organization.currency,
            channel_names=channel_names(request.organization),
        ),
        "sides": sides(version),
        "profile": profile_words(version),
    }


@require_GET
@member_required()
def persona_detail(request: MemberRequest, pk: int) -> HttpResponse:
    persona = _persona(request, pk)
    current = persona.current_version
    assert current is not None
    may_approve = can(request.membership.role, Action.APPROVE_PERSONAS)
    approvable = {
        side.value
        for side in Side
        if may_approve
        and approval_refusal(
            persona=persona, version=current, membership=request.membership, side=side
        )
        is None
    }
    context = {
        "persona": persona,
        "status": status(persona),
        **_version_context(request, current),
        "approvable": approvable,
        "approved": persona.approved_version,
        "history": [(v, sides(v)) for v in persona.versions.all()],
        "can_edit": can(request.membership.role, Action.EDIT_PERSONAS)
        and persona.archived_at is None,
    }
    return render(request, "personas/detail.html", context)


@require_GET
@member_required()
def persona_version(request: MemberRequest, pk: int, number: int) -> HttpResponse:
    persona = _persona(request, pk)
    version = next((v for v in persona.versions.all() if v.number == number), None)
    if version is None:
        raise Http404
    context = {
        "persona": persona,
        "current": persona.current_version,
        "approved": persona.approved_version,
        **_version_context(request, version),
    }
    return render(request, "personas/version.html", context)


# --- the editor ---


def _channel_codes(criteria: list[dict[str, Any]], names: dict[str, str]) -> None:
    """A channel typed by its name is stored by its code, as leads and deals give it."""
    codes = {normalise(name): code for code, name in names.items()}
    for criterion in criteria:
        if criterion["kind"] == Kind.CHANNEL_IN:
            values = criterion["params"]["values"]
            criterion["params"]["values"] = [codes.get(normalise(v), v) for v in values]


def _initial_rows(version: PersonaVersion | None, names: dict[str, str]) -> list[dict[str, Any]]:
    if version is None:
        return [{"kind": Kind.INDUSTRY_IN.value, "weight": 1}]
    rows = []
    for c in sorted(version.criteria.all(), key=lambda c: (c.position, c.pk)):
        params = dict(c.params)
        if c.kind == Kind.CHANNEL_IN:
            params["values"] = [names.get(v, v) for v in params["values"]]
        rows.append(
            CriterionForm.initial_from({"kind": c.kind, "weight": c.weight, "params": params})
        )
    return rows


def _save(
    request: MemberRequest, persona: Persona | None, fields: dict[str, Any], criteria: Any
) -> Persona:
    if persona is None:
        persona = persona_create(
            organization=request.organization, by=request.user, criteria=criteria, **fields
        )
        messages.success(request, _("Persona saved as a draft: both teams approve it next."))
        return persona
    before = persona.current_version
    assert before is not None
    after = persona_update(persona=persona, by=request.user, criteria=criteria, **fields)
    if after.number > before.number:
        messages.success(
            request,
            _("Saved as version %(n)s, a draft both teams approve again.") % {"n": after.number},
        )
    else:
        messages.success(request, _("Persona saved."))
    return persona


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_PERSONAS)
def persona_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    persona = _persona(request, pk) if pk else None
    if persona is not None and persona.archived_at is not None:
        messages.error(request, _("This persona is archived: it cannot change."))
        return redirect("persona-detail", pk=persona.pk)
    version = persona.current_version if persona else None
    names = channel_names(request.organization)
    if request.method == "POST" and ("add" in request.POST or "remove" in request.POST):
        return _edit_rows(request, persona, version)
    if request.method == "POST":
        profile = PersonaForm(request.POST)
        criteria = CriteriaFormSet(request.POST, prefix=CRITERIA_PREFIX)
        if profile.is_valid() and criteria.is_valid():
            chosen = criteria_chosen(criteria)
            _channel_codes(chosen, names)
            try:
                saved = _save(request, persona, profile.cleaned_data, chosen)
            except ValidationError as error:
                place_errors(error, profile, criteria.forms)
            else:
                return redirect("persona-detail", pk=saved.pk)
    else:
        profile = PersonaForm(initial=PersonaForm.initial_from(version) if version else None)
        criteria = CriteriaFormSet(initial=_initial_rows(version, names), prefix=CRITERIA_PREFIX)
    return render(request, "personas/edit.html", _editor(persona, version, profile, criteria))


def _editor(
    persona: Persona | None, version: PersonaVersion | None, profile: Any, criteria: Any
) -> dict[str, Any]:
    return {
        "persona": persona,
        "version": version,
        "profile": profile,
        "criteria": criteria,
        "max_criteria": MAX_CRITERIA,
        "approvals": [s for s in sides(version) if s.given] if version else [],
    }


def _edit_rows(
    request: MemberRequest, persona: Persona | None, version: PersonaVersion | None
) -> HttpResponse:
    """Add a criterion row, or remove one, keeping everything typed and checking nothing
    yet: the whole editor, or (htmx) its criteria."""
    rows: list[dict[str, Any]] = list(rows_typed(request.POST))
    focus = None
    if "add" in request.POST and len(rows) < MAX_CRITERIA:
        rows.append({"kind": Kind.INDUSTRY_IN.value, "weight": 1})
        focus = len(rows) - 1
    removed = request.POST.get("remove", "")
    if removed.isascii() and removed.isdigit() and int(removed) < len(rows):
        del rows[int(removed)]
    criteria = CriteriaFormSet(initial=rows, prefix=CRITERIA_PREFIX)
    if focus is not None:  # the new row's first input, for the keyboard
        criteria.forms[focus].fields["kind"].widget.attrs["autofocus"] = True
    profile = PersonaForm(
        initial={name: request.POST.get(name, "") for name in PersonaVersion.PROFILE_FIELDS}
    )
    context = _editor(persona, version, profile, criteria)
    template = "personas/_criteria.html" if request.htmx else "personas/edit.html"
    return render(request, template, context)


# --- approve and archive ---


@require_POST
@member_required(Action.APPROVE_PERSONAS)
def persona_approve_side(request: MemberRequest, pk: int) -> HttpResponse:
    """Approve one side of the version the member read; a refusal is a message."""
    persona = _persona(request, pk)
    raw = request.POST.get("version", "")
    side = request.POST.get("side", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        messages.error(request, _("Approve a version from the persona's page."))
        return redirect("persona-detail", pk=persona.pk)
    try:
        approval = persona_approve(
            persona=persona,
            membership=request.membership,
            side=side,
            version=int(raw) if raw else None,
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("You may not approve this side."))
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        done = approval.version.is_approved
        messages.success(
            request,
            _("Approved by both teams: version %(n)s now qualifies leads.")
            % {"n": approval.version.number}
            if done
            else _("Approved for %(side)s.") % {"side": Side(side).label},
        )
    return redirect("persona-detail", pk=persona.pk)


@require_POST
@member_required(Action.EDIT_PERSONAS)
def persona_archive_view(request: MemberRequest, pk: int) -> HttpResponse:
    persona = persona_archive(persona=_persona(request, pk))
    messages.success(request, _("Archived: the persona stays readable but no longer changes."))
    return redirect("persona-detail", pk=persona.pk)
