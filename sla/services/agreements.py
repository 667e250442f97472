"""Writes of the agreement: draft it (its terms proposed from the active plan), edit a draft,
sign one side, amend an agreement in force. A version's terms never change once signed: an
edit of a draft withdraws the signatures it had, an amendment is the next version, signed
again by both; the earlier version stays readable with its signatures and stays in force
until the amendment is. Bad input is a ValidationError naming the field; a role that may not
sign a side gets PermissionDenied with the reason."""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.selectors import active_plan, plan_target_rows
from orgs.models import Membership, Organization, Role, User
from sla.announcements import signature_awaited
from sla.models import Agreement, AgreementVersion, Side, Signature
from sla.selectors import calendar_of
from sla.services.calendar import clocks_run_out
from sla.services.compliance import compliance_mark
from smarketing.lib.formatting import month_label
from smarketing.lib.months import add_months, months_spanned

# The side each role signs for; an admin may stand in for either team.
SIDE_OF_ROLE = {
    Role.MARKETING_MANAGER: Side.MARKETING,
    Role.SALES_MANAGER: Side.SALES,
    Role.LEADERSHIP: Side.LEADERSHIP,
}
TEAMS = (Side.MARKETING, Side.SALES)


def fingerprint(version: AgreementVersion) -> str:
    """SHA-256 of the exact period, version and terms: what a signature vouches for."""
    agreement = version.agreement
    document = {
        "period": [f"{agreement.first_month:%Y-%m}", f"{agreement.last_month:%Y-%m}"],
        "version": version.number,
        "terms": version.terms(),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def proposed_terms(organization: Organization, *, first: date, last: date) -> dict[str, Any]:
    """Marketing's MQLs per month, in total and per channel, proposed from the active plan's
    MQL targets for the months of the period (their monthly average, rounded up); {} when no
    active plan has any."""
    plan = active_plan(organization)
    if plan is None:
        return {}
    rows = [
        r for r in plan_target_rows(organization, plan, stage="mql") if first <= r["month"] <= last
    ]
    if not rows:
        return {}
    months = months_spanned(first, last)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["channel"]] += row["target"]
    channels = {code: math.ceil(n / months) for code, n in sorted(totals.items()) if code and n}
    total = max(math.ceil(totals.get("", 0) / months), sum(channels.values()))
    return {"mqls_per_month": total, "channel_mqls": channels}


def _apply(version: AgreementVersion, terms: Mapping[str, Any]) -> None:
    unknown = set(terms) - set(AgreementVersion.TERMS)
    if unknown:  # a programming error: the API names only known terms
        raise TypeError(f"not terms of an agreement: {sorted(unknown)}")
    for name, value in terms.items():
        setattr(version, name, value)


@transaction.atomic
def agreement_create(
    *, organization: Organization, by: User | None, first_month: date,
    last_month: date | None = None, terms: Mapping[str, Any] | None = None,
) -> Agreement:  # fmt: skip
    """Draft the agreement of a period (a year from `first_month` by default), its MQL
    commitments proposed from the active plan where not given."""
    last = last_month or add_months(first_month, 11)
    agreement = Agreement(
        organization=organization, first_month=first_month, last_month=last, created_by=by
    )
    agreement.full_clean(exclude=["organization", "created_by"])
    # One agreement for any month: the organisation's row, locked, keeps two drafts apart.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    clash = (
        Agreement.objects.for_org(organization)
        .filter(first_month__lte=last, last_month__gte=first_month)
        .first()
    )
    if clash is not None:
        raise ValidationError({"first_month": _(
            "The agreement of %(first)s to %(last)s covers some of these months already: "
            "amend it."
        ) % {"first": month_label(clash.first_month), "last": month_label(clash.last_month)}})  # fmt: skip
    given = {**proposed_terms(organization, first=first_month, last=last), **(terms or {})}
    if "mqls_per_month" not in given:
        raise ValidationError(
            {"mqls_per_month": _("Give the MQLs per month: no active plan proposes them.")}
        )
    version = AgreementVersion(
        organization=organization, agreement=agreement, number=1, created_by=by
    )
    _apply(version, given)
    version.full_clean(exclude=["organization", "agreement", "created_by"])
    clocks_run_out(calendar_of(version.organization), [version])
    agreement.save()
    version.agreement = agreement
    version.save()
    signature_awaited(version, TEAMS, why="made")
    return agreement


def latest_version(agreement: Agreement, *, lock: bool = False) -> AgreementVersion:
    """The agreement's newest version; with `lock`, locked until the transaction ends (an
    edit, an amendment and a signature of one agreement then follow each other)."""
    versions = AgreementVersion.objects.filter(
        organization_id=agreement.organization_id, agreement=agreement
    )
    if lock:
        versions = versions.select_for_update()
    return versions.select_related("agreement").latest("number")


@transaction.atomic
def agreement_edit(
    *, agreement: Agreement, terms: Mapping[str, Any], reason: str | None = None
) -> AgreementVersion:
    """Change the terms of the agreement's draft (its newest version, not in force yet); the
    signatures it had are withdrawn if the terms changed: they vouched for other ones."""
    version = latest_version(agreement, lock=True)
    if version.in_force_at:
        raise ValidationError(
            {"non_field_errors": _("This version is in force: amend the agreement instead.")}
        )
    before = {name: getattr(version, name) for name in AgreementVersion.TERMS}
    _apply(version, terms)
    if reason is not None:
        version.reason = reason
    version.full_clean(exclude=["organization", "agreement", "created_by"])
    clocks_run_out(calendar_of(version.organization), [version])
    version.save()
    if before == {name: getattr(version, name) for name in AgreementVersion.TERMS}:
        return version  # the same terms (8 hours is 8.00): the signatures still vouch for them
    withdrawn = Signature.objects.filter(organization_id=version.organization_id, version=version)
    sides = set(withdrawn.values_list("side", flat=True))
    withdrawn.delete()
    if sides:
        signature_awaited(version, sides, why=f"edited:{fingerprint(version)[:16]}")
    return version


@transaction.atomic
def agreement_amend(
    *, agreement: Agreement, by: User | None, reason: str, terms: Mapping[str, Any]
) -> AgreementVersion:
    """The next version of an agreement in force: its terms with `terms` changed, and why.
    The version in force stays so until both teams sign the amendment."""
    current = latest_version(agreement, lock=True)
    if not current.in_force_at:
        raise ValidationError({"non_field_errors": _(
            "The newest version is still a draft: edit it, or sign it first."
        )})  # fmt: skip
    version = AgreementVersion(
        organization_id=agreement.organization_id, agreement=agreement,
        number=current.number + 1, created_by=by, reason=reason.strip(),
    )  # fmt: skip
    _apply(version, {name: getattr(current, name) for name in AgreementVersion.TERMS})
    _apply(version, terms)
    version.full_clean(exclude=["organization", "agreement", "created_by"])
    clocks_run_out(calendar_of(version.organization), [version])
    version.save()
    signature_awaited(version, TEAMS, why="made")
    return version


def _side_for(membership: Membership, side: str) -> bool:
    """Whether the member may sign `side`; True if an admin stands in for a team."""
    if membership.role == Role.ADMIN and side in TEAMS:
        return True
    if SIDE_OF_ROLE.get(Role(membership.role)) != side:
        raise PermissionDenied(
            _("A %(role)s cannot sign for %(side)s.")
            % {"role": Role(membership.role).label, "side": Side(side).label}
        )
    return False


def sides_to_sign(version: AgreementVersion, membership: Membership) -> list[str]:
    """The sides `membership` may sign on `version` now, as agreement_sign would accept
    them (its signatures prefetched): for the pages' sign buttons."""
    signed = {s.side: s for s in version.signatures.all()}
    if version.superseded_at or any(
        s.by_id == membership.user_id for k, s in signed.items() if k in TEAMS
    ):
        return []  # the two teams sign through two different people
    if membership.role == Role.ADMIN:
        return [side.value for side in TEAMS if side not in signed]
    side = SIDE_OF_ROLE.get(Role(membership.role))
    if side is None or side in signed:
        return []
    if side == Side.LEADERSHIP and not version.in_force_at:
        return []
    return [side.value]


@transaction.atomic
def agreement_sign(
    *, agreement: Agreement, membership: Membership, side: str, seen: str | None = None
) -> Signature:
    """Sign the agreement's newest version for one side. `seen` is the fingerprint of the
    terms the signer read: if they changed since, nothing is signed. Once marketing and
    sales have both signed, the version is in force and the one before is superseded.
    Leadership countersigns a version in force."""
    version = latest_version(agreement, lock=True)
    stood_in = _side_for(membership, side)
    current = fingerprint(version)
    if seen is not None and seen != current:
        raise ValidationError(
            {"fingerprint": _("The terms changed since you read them: read them again.")}
        )
    signed = {
        s.side: s
        for s in Signature.objects.filter(organization_id=version.organization_id, version=version)
    }
    if side in signed:
        raise ValidationError(
            {"side": _("%(side)s has signed this version already.") % {"side": Side(side).label}}
        )
    if side == Side.LEADERSHIP and not version.in_force_at:
        raise ValidationError({"side": _("Leadership countersigns once both teams have signed.")})
    if side in TEAMS and any(
        s.by_id == membership.user_id for k, s in signed.items() if k in TEAMS
    ):
        raise PermissionDenied(_("The two teams sign through two different people."))
    signature = Signature.objects.create(
        organization_id=version.organization_id, version=version, side=side,
        by=membership.user, by_name=str(membership.user), stood_in_as_admin=stood_in,
        fingerprint=current,
    )  # fmt: skip
    if side in TEAMS and all(team in signed or team == side for team in TEAMS):
        now = timezone.now()
        version.in_force_at = now
        version.save(update_fields=["in_force_at"])
        AgreementVersion.objects.filter(
            organization_id=version.organization_id, agreement=agreement,
            in_force_at__isnull=False, superseded_at__isnull=True, number__lt=version.number,
        ).update(superseded_at=now)  # fmt: skip
        # The hand-offs are judged by it from now on: compliance is recomputed.
        compliance_mark(organization_id=version.organization_id)
        signature_awaited(version, [Side.LEADERSHIP], why="in-force")
    elif side in TEAMS:
        others = [team for team in TEAMS if team != side and team not in signed]
        signature_awaited(version, others, why=f"signed-by-{side}")
    return signature
