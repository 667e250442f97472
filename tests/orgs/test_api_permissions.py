"""Every endpoint, for every role, by token: the same matrix as the pages."""

import pytest

from orgs.models import Membership, Role
from orgs.permissions import Action, can
from tests.conftest import ALL_ROLES, token_client
from tests.factories import MembershipFactory

ENDPOINTS = [
    # (method, path template, body, action)
    ("get", "/api/v1/me/", None, Action.VIEW),
    ("get", "/api/v1/members/", None, Action.VIEW),
    ("get", "/api/v1/members/{target}/", None, Action.VIEW),
    ("patch", "/api/v1/members/{target}/", {"role": Role.MARKETING_MANAGER}, Action.MANAGE_MEMBERS),
    ("delete", "/api/v1/members/{target}/", None, Action.MANAGE_MEMBERS),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "path", "body", "action"), ENDPOINTS)
def test_it_applies_the_role_matrix(role, method, path, body, action, member):
    actor = member(role)
    MembershipFactory(organization=actor.organization, role=Role.ADMIN)
    target = MembershipFactory(organization=actor.organization, role=Role.SALES_REP)
    before = list(Membership.objects.values_list("pk", "role").order_by("pk"))

    response = getattr(token_client(actor), method)(
        path.format(target=target.pk), body, format="json"
    )

    if can(role, action):
        assert response.status_code in (200, 204)
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert list(Membership.objects.values_list("pk", "role").order_by("pk")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "action"), ENDPOINTS)
def test_it_refuses_anonymous_callers(method, path, body, action, client, member):
    target = member(Role.SALES_REP)

    response = getattr(client, method)(
        path.format(target=target.pk), body, content_type="application/json"
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert Membership.objects.get(pk=target.pk).role == Role.SALES_REP


@pytest.mark.django_db
def test_me_describes_the_caller(member):
    me = member(Role.MARKETING_MANAGER)

    body = token_client(me).get("/api/v1/me/").json()

    assert body["user"]["username"] == me.user.username
    assert body["organization"]["slug"] == "acme"
    assert body["role"] == "marketing_manager"
    assert body["permissions"] == [
        "view",
        "manage_own_tokens",
        "edit_leads",
        "edit_campaigns",
        "import_records",
        "edit_plans",
        "edit_personas",
        "approve_personas",
        "edit_objectives",
        "edit_sla",
        "keep_reviews",
        "answer_pulse",
    ]
    assert body["authenticated_by"] == "token"
    assert [m["organization"]["slug"] for m in body["memberships"]] == ["acme"]


@pytest.mark.django_db
def test_session_callers_act_in_their_current_organisation(member, other_org):
    from tests.conftest import signed_in_client

    me = member(Role.SALES_MANAGER)
    MembershipFactory(organization=other_org, user=me.user, role=Role.LEADERSHIP)
    client = signed_in_client(me)

    body = client.get("/api/v1/me/").json()

    assert (body["organization"]["slug"], body["role"], body["authenticated_by"]) == (
        "acme",
        "sales_manager",
        "session",
    )


@pytest.mark.django_db
def test_an_admin_cannot_demote_the_last_admin(member):
    admin = member(Role.ADMIN)
    api = token_client(admin)

    response = api.patch(f"/api/v1/members/{admin.pk}/", {"role": Role.SALES_REP}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "at least one admin" in str(response.json()["error"]["fields"])
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


@pytest.mark.django_db
def test_an_unknown_role_is_a_field_error(member):
    admin = member(Role.ADMIN)
    target = member(Role.SALES_REP)

    response = token_client(admin).patch(
        f"/api/v1/members/{target.pk}/", {"role": "king"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert Membership.objects.get(pk=target.pk).role == Role.SALES_REP


@pytest.mark.django_db
def test_a_change_without_a_role_is_a_field_error(member):
    admin = member(Role.ADMIN)
    target = member(Role.SALES_REP)

    response = token_client(admin).patch(f"/api/v1/members/{target.pk}/", {}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "role" in error["fields"]
    assert Membership.objects.get(pk=target.pk).role == Role.SALES_REP
