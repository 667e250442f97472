"""/api/v1/me/: the caller as MeSerializer documents it, in one query."""

import json

import pytest

from orgs.models import Role
from orgs.permissions import allowed_actions
from orgs.selectors import memberships_of_user
from orgs.serializers import MeSerializer
from tests.conftest import token_client
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_me_answers_as_its_documented_serializer_would(member):
    me = member(Role.SALES_MANAGER)
    MembershipFactory(organization=OrganizationFactory(name="Zeta", slug="zeta"), user=me.user)
    MembershipFactory(organization=OrganizationFactory(name="Beta", slug="beta"), user=me.user)

    body = token_client(me).get("/api/v1/me/").json()

    documented = MeSerializer(
        {
            "user": me.user,
            "organization": me.organization,
            "role": me.role,
            "permissions": [str(action) for action in allowed_actions(me.role)],
            "memberships": memberships_of_user(me.user),
            "authenticated_by": "token",
        }
    ).data
    assert body == json.loads(json.dumps(documented))
    assert [m["organization"]["slug"] for m in body["memberships"]] == ["acme", "beta", "zeta"]


def test_me_costs_one_query_after_the_token(member, django_assert_max_num_queries):
    api = token_client(member(Role.LEADERSHIP))
    api.get("/api/v1/me/")  # the token's last use recorded, as on every later call

    with django_assert_max_num_queries(1):  # its memberships; the token: a prepared statement
        response = api.get("/api/v1/me/")

    assert response.json()["role"] == "leadership"
