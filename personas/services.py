"""Every write to personas: create, edit (in place while a draft, a new version once
approved), approve one side, archive. Each refuses bad input with a ValidationError naming
the field (the API's 400) and writes nothing then; a role that may not approve a side gets
PermissionDenied with the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.journal import mark_every_lead
from orgs.models import Membership, Organization, Role, User
from personas.announcements import approval_awaited
from personas.calculations import MAX_CRITERIA
from personas.models import Approval, Criterion, Persona, PersonaSettings, PersonaVersion, Side

# The side each manager approves for; an admin may stand in for either.
SIDE_OF_ROLE = {Role.MARKETING_MANAGER: Side.MARKETING, Role.SALES_MANAGER: Side.SALES}


def _profile(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PersonaVersion.PROFILE_FIELDS)
    if unknown:  # a programming error, not a user's: the API names only known fields
        raise TypeError(f"not fields of a persona version: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _criteria_rows(
    version: PersonaVersion, criteria: Sequence[Mapping[str, Any]]
) -> list[Criterion]:
    """The criteria, each checked; an error names `criteria[i].<field>`."""
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(
            {"criteria": _("A persona has at most %(n)s criteria.") % {"n": MAX_CRITERIA}}
        )
    rows = []
    for i, given in enumerate(criteria):
        row = Criterion(
            organization_id=version.organization_id,
            version=version,
            position=i,
            kind=given.get("kind", ""),
            weight=given.get("weight", 1),
            params=given.get("params"),
        )
        try:
            row.full_clean(exclude=["version"])
        except ValidationError as error:
            raise ValidationError(
                {
                    f"criteria[{i}].{field}": messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
        rows.append(row)
    return rows


def _save(version: PersonaVersion, criteria: Sequence[Mapping[str, Any]] | None) -> PersonaVersion:
    version.full_clean()
    if criteria is not None:
        rows = _criteria_rows(version, criteria)  # checked before anything is written
    version.save()
    if criteria is not None:
        Criterion.objects.filter(version=version).delete()
        for row in rows:
            row.version = version
        Criterion.objects.bulk_create(rows)
    return version


def _criteria_of(version: PersonaVersion) -> list[dict[str, Any]]:
    return [
        {"kind": c.kind, "weight": c.weight, "params": c.params}
        for c in Criterion.objects.filter(version=version).order_by("position", "pk")
    ]


@transaction.atomic
def persona_create(
    *,
    organization: Organization,
    by: User | None,
    criteria: Sequence[Mapping[str, Any]] = (),
    **profile: Any,
) -> Persona:
    """A new persona, as a draft version 1."""
    persona = Persona.objects.create(organization=organization, created_by=by)
    version = PersonaVersion(
        organization=organization, persona=persona, number=1, created_by=by, **_profile(profile)
    )
    _save(version, criteria)
    approval_awaited(version, list(Side), why="made", by=by.pk if by else None)
    return persona


def _refuse_archived(persona: Persona) -> None:
    if persona.archived_at is not None:
        raise ValidationError(_("This persona is archived: it cannot change or be approved."))


def _locked(persona: Persona) -> tuple[Persona, PersonaVersion]:
    """The persona locked (edits and approvals of one persona take turns) and its current
    version."""
    persona = Persona.objects.select_for_update().get(pk=persona.pk)
    _refuse_archived(persona)
    current = PersonaVersion.objects.filter(persona=persona).order_by("-number").first()
    assert current is not None, "a persona is created with its first version"
    return persona, current


@transaction.atomic
def persona_update(
    *,
    persona: Persona,
    by: User | None,
    criteria: Sequence[Mapping[str, Any]] | None = None,
    **changes: Any,
) -> PersonaVersion:
    """Edit the persona: its draft in place, or, if its current version is approved, a new
    draft version (the approved one stays as it was, with its approvals, and keeps
    qualifying leads until the new one is approved). `criteria`, when given, replace the
    version's criteria. An edit that changes nothing makes no version. Returns the current
    version after the edit."""
    persona, current = _locked(persona)
    changes = _profile(changes)
    changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
    old_criteria = _criteria_of(current)
    if not changed and (criteria is None or _same_criteria(old_criteria, criteria)):
        return current
    if current.approved_at is None:
        # What a side approved has changed: its approval no longer holds.
        Approval.objects.filter(version=current).delete()
        for field, value in changed.items():
            setattr(current, field, value)
        return _save(current, criteria)
    following = PersonaVersion(
        organization_id=current.organization_id,
        persona=persona,
        number=current.number + 1,
        created_by=by,
        **{field: getattr(current, field) for field in PersonaVersion.PROFILE_FIELDS},
    )
    for field, value in changed.items():
        setattr(following, field, value)
    _save(following, old_criteria if criteria is None else criteria)
    approval_awaited(following, list(Side), why="made", by=by.pk if by else None)
    return following


def _same_criteria(old: list[dict[str, Any]], new: Sequence[Mapping[str, Any]]) -> bool:
    """Whether `new` says what `old` says (each cleaned as it would be stored)."""
    if len(old) != len(new):
        return False
    for stored, given in zip(old, new, strict=True):
        row = Criterion(kind=given.get("kind", ""), weight=given.get("weight", 1))
        row.params = given.get("params")
        try:
            row.clean()
        except ValidationError:
            return False  # invalid: not the same; saving it will say why
        if (row.kind, row.weight, row.params) != (
            stored["kind"],
            stored["weight"],
            stored["params"],
        ):
            return False
    return True


@transaction.atomic
def persona_approve(
    *, persona: Persona, membership: Membership, side: str, version: int | None = None
) -> Approval:
    """Approve the persona's current version for `side`: a marketing manager for marketing,
    a sales manager for sales, an admin for either (recorded as standing in). `version`,
    when given, must be the current one: an approval is of what the approver read. The
    version is approved once both sides have approved it, by two different people."""
    if membership.organization_id != persona.organization_id:
        raise PermissionDenied(_("This persona belongs to another organisation."))
    if side not in Side.values:
        raise ValidationError({"side": _("Choose marketing or sales.")})
    stood_in = _may_approve(membership, Side(side))
    persona, current = _locked(persona)
    if version is not None and version != current.number:
        raise ValidationError(
            {
                "version": _(
                    "Only the current version (%(current)s) can be approved, not version %(given)s."
                )
                % {"current": current.number, "given": version}
            }
        )
    approvals = {a.side: a for a in Approval.objects.filter(version=current).select_related("by")}
    has_criteria = Criterion.objects.filter(version=current).exists()
    _refuse_approval_of(current, has_criteria, approvals, Side(side), membership.user_id)
    approval = Approval.objects.create(
        organization_id=current.organization_id,
        version=current,
        side=side,
        by=membership.user,
        stood_in_as_admin=stood_in,
    )
    if len(approvals) + 1 == len(Side):
        current.approved_at = approval.at
        current.save(update_fields=["approved_at"])
        mark_every_lead(current.organization_id)  # measured against this version now
    else:
        approval_awaited(
            current, [s for s in Side if s != side and s not in approvals],
            why=f"approved-by-{side}", by=membership.user_id,
        )  # fmt: skip
    return approval


def _may_approve(membership: Membership, side: Side) -> bool:
    """Whether the member approves `side` standing in as an admin; PermissionDenied if the
    member may not approve it at all."""
    if membership.role == Role.ADMIN:
        return True
    if SIDE_OF_ROLE.get(Role(membership.role)) == side:
        return False
    if membership.role in SIDE_OF_ROLE:
        raise PermissionDenied(
            _(
                "A %(role)s approves for %(own)s only; the %(side)s side is approved by its manager or an admin."
            )
            % {
                "role": Role(membership.role).label,
                "own": SIDE_OF_ROLE[Role(membership.role)].label,
                "side": side.label,
            }
        )
    raise PermissionDenied(
        _("Only a marketing manager, a sales manager or an admin can approve a persona.")
    )


def _refuse_approval_of(
    version: PersonaVersion,
    has_criteria: bool,
    approvals: dict[str, Approval],
    side: Side,
    user_id: int,
) -> None:
    """What refuses an approval of `side` of `version` by the user `user_id`, given what
    it holds."""
    if version.approved_at is not None:
        raise ValidationError(
            _("Version %(n)s is already approved by both teams.") % {"n": version.number}
        )
    if not has_criteria:
        raise ValidationError(
            _("Give the persona at least one criterion a program can check before approving it.")
        )
    _refuse_second_approval(approvals, side, user_id, version)


def approval_refusal(
    *, persona: Persona, version: PersonaVersion, membership: Membership, side: str
) -> str | None:
    """Why `membership` may not approve `side` of the persona's current `version` now, or
    None if persona_approve would accept it: the same rules, read from what a page has
    already loaded (the version's criteria and approvals prefetched), for the page to offer
    only the buttons that work. persona_approve still decides, under its lock."""
    try:
        if membership.organization_id != persona.organization_id or side not in Side.values:
            raise PermissionDenied
        _may_approve(membership, Side(side))
        _refuse_archived(persona)
        approvals = {a.side: a for a in version.approvals.all()}
        has_criteria = bool(version.criteria.all())
        _refuse_approval_of(version, has_criteria, approvals, Side(side), membership.user_id)
    except (PermissionDenied, ValidationError) as refusal:
        return " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
    return None


def _refuse_second_approval(
    approvals: dict[str, Approval], side: Side, user_id: int, version: PersonaVersion
) -> None:
    given = approvals.get(side)
    if given is not None:
        raise ValidationError(
            {
                "side": _("%(side)s already approved version %(n)s (%(who)s, %(when)s).")
                % {
                    "side": side.label,
                    "n": version.number,
                    "who": given.by or _("a former member"),
                    "when": date_format(timezone.localtime(given.at), "DATETIME_FORMAT"),
                }
            }
        )
    if any(a.by_id == user_id for a in approvals.values()):
        raise ValidationError(
            {
                "side": _(
                    "You approved the other side of this version: both teams approve, so a second person must approve this side."
                )
            }
        )


@transaction.atomic
def persona_archive(*, persona: Persona) -> Persona:
    """Retire the persona: it stays readable with its versions, but no longer changes, is
    no longer approved, and no longer qualifies leads (every lead is measured again)."""
    persona = Persona.objects.select_for_update().get(pk=persona.pk)
    if persona.archived_at is None:
        persona.archived_at = timezone.now()
        persona.save(update_fields=["archived_at"])
        mark_every_lead(persona.organization_id)
    return persona


@transaction.atomic
def persona_settings_update(
    *, organization: Organization, by: User | None, qualify_new_leads: bool
) -> PersonaSettings:
    """Turn the qualification of new leads on or off. On, it applies to the leads that
    enter the funnel from now on: switching it on moves no lead of the past."""
    found, _created = PersonaSettings.objects.select_for_update().get_or_create(
        organization=organization
    )
    if qualify_new_leads != found.qualify_new_leads:
        found.qualify_new_leads = qualify_new_leads
        found.qualifying_since = timezone.now() if qualify_new_leads else None
    found.updated_at, found.updated_by = timezone.now(), by
    found.full_clean()
    found.save()
    return found
