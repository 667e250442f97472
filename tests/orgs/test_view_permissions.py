"""Every page, for every role: allowed by the matrix -> it works; refused -> 403 and nothing changed."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import ApiToken, Invitation, Membership, Organization, Role
from orgs.permissions import Action, can
from orgs.services import api_token_create
from tests.conftest import ALL_ROLES, signed_in_client
from tests.factories import MembershipFactory


@dataclass
class Page:
    name: str
    method: str
    action: Action
    # (actor membership) -> (url, form data, a function returning the state a refusal must leave alone)
    setup: Callable


def _static(url_name, data=None):
    return lambda actor: (reverse(url_name), data or {}, lambda: None)


def _org_state(actor):
    return lambda: Organization.objects.values_list("name", "currency").get(
        pk=actor.organization_id
    )


def _other_member(actor):
    return MembershipFactory(organization=actor.organization, role=Role.SALES_REP)


def _role_change(actor):
    target = _other_member(actor)
    return (
        reverse("member-role", args=[target.pk]),
        {"role": Role.MARKETING_MANAGER},
        lambda: Membership.objects.get(pk=target.pk).role,
    )


def _member_remove(actor):
    target = _other_member(actor)
    return (
        reverse("member-remove", args=[target.pk]),
        {},
        lambda: Membership.objects.filter(pk=target.pk).exists(),
    )


def _invitation_create(actor):
    return (
        reverse("invitation-create"),
        {"email": "new@example.test", "role": Role.SALES_REP},
        lambda: Invitation.objects.count(),
    )


def _invitation_revoke(actor):
    invitation = Invitation.objects.create(
        organization=actor.organization,
        email="x@example.test",
        role=Role.SALES_REP,
        token_hash=f"h{actor.pk}",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return (
        reverse("invitation-revoke", args=[invitation.pk]),
        {},
        lambda: Invitation.objects.get(pk=invitation.pk).revoked_at,
    )


def _settings_post(actor):
    return (
        reverse("organization-settings"),
        {"name": "Renamed", "currency": "USD", "response_window_hours": "4"},
        _org_state(actor),
    )


def _token_create(actor):
    return (reverse("api-tokens"), {"name": "BI"}, lambda: ApiToken.objects.count())


def _token_revoke(actor):
    token, _key = api_token_create(membership=actor, name="mine")
    return (
        reverse("api-token-revoke", args=[token.pk]),
        {},
        lambda: ApiToken.objects.get(pk=token.pk).revoked_at,
    )


PAGES = [
    Page("home", "get", Action.VIEW, _static("home")),
    Page("members", "get", Action.VIEW, _static("members")),
    Page(
        "organization-settings", "get", Action.EDIT_ORGANIZATION, _static("organization-settings")
    ),
    Page("organization-settings", "post", Action.EDIT_ORGANIZATION, _settings_post),
    Page("member-role", "post", Action.MANAGE_MEMBERS, _role_change),
    Page("member-remove", "post", Action.MANAGE_MEMBERS, _member_remove),
    Page("invitation-create", "post", Action.MANAGE_MEMBERS, _invitation_create),
    Page("invitation-revoke", "post", Action.MANAGE_MEMBERS, _invitation_revoke),
    Page("api-tokens", "get", Action.MANAGE_OWN_TOKENS, _static("api-tokens")),
    Page("api-tokens", "post", Action.MANAGE_OWN_TOKENS, _token_create),
    Page("api-token-revoke", "post", Action.MANAGE_OWN_TOKENS, _token_revoke),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}-{p.name}")
def test_it_applies_the_role_matrix(page, role, member):
    actor = member(role)
    # An admin besides the actor, so that 'last admin' rules never decide the outcome.
    MembershipFactory(organization=actor.organization, role=Role.ADMIN)
    url, data, state = page.setup(actor)
    before = state()

    response = getattr(signed_in_client(actor), page.method)(url, data)

    if can(role, page.action):
        assert response.status_code in (200, 302)
        if page.method == "post" and before is not None:
            assert state() != before, "an allowed write changed nothing"
    else:
        assert response.status_code == 403
        assert state() == before, "a refused request changed something"


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}-{p.name}")
def test_it_sends_anonymous_visitors_to_sign_in(page, member):
    url, data, _state = page.setup(member(Role.ADMIN))
    from django.test import Client

    response = getattr(Client(), page.method)(url, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_it_sends_a_user_without_organisation_to_the_welcome_page():
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("no-organization")
    assert (
        "You are not a member of any organisation yet"
        in client.get(reverse("no-organization")).content.decode()
    )
