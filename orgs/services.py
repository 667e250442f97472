"""Every write to organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from orgs.models import ApiToken, Invitation, Membership, Organization, Role, User

TOKEN_PREFIX = "smk_"  # noqa: S105 - a marker, not a secret


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Organisations ----------------------------------------------------------------------


@transaction.atomic
def organization_create(
    *, slug: str, name: str, admin: User, currency: str = "EUR"
) -> Organization:
    organization = Organization(slug=slug, name=name, currency=currency.upper())
    organization.full_clean()
    organization.save()
    membership_add(organization=organization, user=admin, role=Role.ADMIN)
    return organization


def organization_update(
    *, organization: Organization, name: str, currency: str, response_window_hours: int
) -> Organization:
    organization.name = name
    organization.currency = currency.upper()
    organization.response_window_hours = response_window_hours
    organization.full_clean()
    organization.save(update_fields=["name", "currency", "response_window_hours"])
    return organization


@dataclass(frozen=True)
class BootstrapReport:
    organization: Organization
    organization_created: bool
    user_created: bool
    membership_changed: bool


@transaction.atomic
def organization_bootstrap(
    *, slug: str, name: str, admin_username: str, password: str
) -> BootstrapReport:
    """Make sure the organisation exists with this user as an admin; change nothing that is so.

    An existing user keeps their password: this command never overwrites credentials.
    """
    user = User.objects.filter(username=admin_username).first()
    user_created = user is None
    if user is None:
        user = user_create(username=admin_username, password=password)
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return BootstrapReport(
            organization_create(slug=slug, name=name, admin=user), True, user_created, True
        )
    membership = Membership.objects.for_org(organization).filter(user=user).first()
    changed = membership is None or membership.role != Role.ADMIN
    if membership is None:
        membership_add(organization=organization, user=user, role=Role.ADMIN)
    elif changed:
        membership.role = Role.ADMIN
        membership.save(update_fields=["role"])
    return BootstrapReport(organization, False, user_created, changed)


# --- Users and memberships --------------------------------------------------------------


def user_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    user = User(
        username=username, email=email.strip().lower(), first_name=first_name, last_name=last_name
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def membership_add(*, organization: Organization, user: User, role: str) -> Membership:
    membership = Membership(organization=organization, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def sales_rep_record(*, organization: Organization, name: str) -> Membership:
    """A sales rep known only by name (an owner in an imported file): a member who owns
    records and appears in the dashboards' owner filter, but cannot sign in (inactive, no
    usable password) until invited. Owners stay users, so every owner column stays a user."""
    name = " ".join(name.split())[:150]
    first, _space, last = name.rpartition(" ")
    if not first:  # one word ("Madonna"): a first name, not a blank one
        first, last = name, ""
    user = User(
        username=_free_username(slugify(name) or "sales-rep"),
        first_name=first,
        last_name=last,
        is_active=False,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return membership_add(organization=organization, user=user, role=Role.SALES_REP)


def _free_username(base: str) -> str:
    """`base`, or `base-2`, `base-3`...: the first no account has (usernames are global)."""
    base = base[:140]
    taken = set(
        User.objects.filter(username__iregex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list(
            "username", flat=True
        )
    )
    taken = {t.lower() for t in taken}
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.for_org(membership.organization)
        .filter(role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .select_for_update()
    )
    if membership.role == Role.ADMIN and not others.exists():
        raise ValidationError(
            _("An organisation needs at least one admin: make someone else admin first.")
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    if role != Role.ADMIN:
        _ensure_another_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _ensure_another_admin(membership)
    membership.delete()


# --- Invitations ------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: User,
    site_url: str,
    claims: int | None = None,
) -> Invitation:
    """Invite `email` to join with `role`; the link is e-mailed once the row is committed.
    With `claims`, the id of a member recorded without a login (a sales rep an import
    named), the invitee becomes that member instead of a new one."""
    email = email.strip().lower()
    if Membership.objects.for_org(organization).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    claimed = _claimable(organization, claims) if claims else None
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.for_org(organization).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=invited_by,
        token_hash=hash_secret(token),
        created_at=now,
        expires_at=now + settings.INVITATION_TTL,
        claims=claimed,
    )
    invitation.full_clean()
    invitation.save()
    link = site_url.rstrip("/") + reverse("invitation-accept", args=[token])
    transaction.on_commit(lambda: _send_invitation(invitation, link))
    return invitation


def _claimable(organization: Organization, user_id: int) -> User:
    """The member without a login that an invitation may hand over, or why it may not."""
    membership = (
        Membership.objects.for_org(organization).select_related("user").filter(user_id=user_id)
    ).first()
    if membership is None or membership.user.has_signed_up:
        raise ValidationError(
            {"claims": _("Only a member recorded without a login is invited this way.")}
        )
    return membership.user


def _send_invitation(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link, "organization": invitation.organization}
    send_mail(
        subject=_("You are invited to %(org)s on Smarketing")
        % {"org": invitation.organization.name},
        message=render_to_string("orgs/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_find(*, token: str, now: datetime) -> Invitation:
    """The pending invitation behind `token`, or a ValidationError saying why there is none."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError(_("This invitation link is not valid. Ask for a new one."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= now:
        raise ValidationError(_("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    now = timezone.now()
    invitation = invitation_find(token=token, now=now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # accepted in another tab meanwhile
        raise ValidationError(_("This invitation has already been used."))
    membership = Membership.objects.for_org(invitation.organization).filter(user=user).first()
    if membership is None:
        membership = membership_add(
            organization=invitation.organization, user=user, role=invitation.role
        )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_sign_up(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Membership:
    """Create the invitee's account with the invited address, and accept, all or nothing."""
    invitation = invitation_find(token=token, now=timezone.now())
    if invitation.claims_id is not None:
        user = _take_over(invitation.claims_id, username, password, invitation.email)
        user.first_name, user.last_name = first_name or user.first_name, last_name or user.last_name
        user.save(update_fields=["first_name", "last_name"])
    else:
        user = user_create(
            username=username,
            password=password,
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
        )
    return invitation_accept(token=token, user=user)


def _take_over(user_id: int, username: str, password: str, email: str) -> User:
    """The recorded sales rep becomes the invitee's account: their login, the rep's records."""
    user = User.objects.select_for_update().get(pk=user_id)
    if user.has_signed_up:  # claimed through another invitation meanwhile
        raise ValidationError(_("This invitation has already been used."))
    user.username, user.email, user.is_active = username, email.strip().lower(), True
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


PURGE_AFTER = timedelta(days=30)


def invitations_purge_expired(*, now: datetime) -> int:
    """Delete unused invitations that expired or were revoked more than 30 days ago.

    Accepted ones stay: they tell who invited whom.
    """
    cutoff = now - PURGE_AFTER
    unused = Invitation.objects.filter(accepted_at__isnull=True)
    stale = unused.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    deleted, _rows = stale.delete()
    return deleted


# --- API tokens -------------------------------------------------------------------------


def api_token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new token for `membership`; returns the row and the key, which is never shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        membership=membership, name=name.strip(), prefix=key[:10], key_hash=hash_secret(key)
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
