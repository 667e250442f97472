"""Another organisation's objects answer 404, to pages and to the API, and stay untouched."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import ApiToken, Invitation, Membership, Role
from orgs.services import api_token_create
from tests.conftest import signed_in_client, token_client
from tests.factories import MembershipFactory


@pytest.fixture
def foreign(other_org):
    """Objects of another organisation: a member, an invitation, a token."""
    stranger = MembershipFactory(organization=other_org, role=Role.SALES_REP)
    invitation = Invitation.objects.create(
        organization=other_org,
        email="someone@example.test",
        role=Role.SALES_REP,
        token_hash="foreign",
        expires_at=timezone.now() + timedelta(days=3),
    )
    token, _key = api_token_create(membership=stranger, name="theirs")
    return stranger, invitation, token


@pytest.mark.django_db
def test_pages_answer_404_for_another_organisations_objects(member, foreign):
    stranger, invitation, token = foreign
    client = signed_in_client(member(Role.ADMIN))

    for url, data in [
        (reverse("member-role", args=[stranger.pk]), {"role": Role.ADMIN}),
        (reverse("member-remove", args=[stranger.pk]), {}),
        (reverse("invitation-revoke", args=[invitation.pk]), {}),
        (reverse("api-token-revoke", args=[token.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 404, url

    assert Membership.objects.get(pk=stranger.pk).role == Role.SALES_REP
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_a_member_cannot_revoke_a_colleagues_token(member):
    colleague = member(Role.SALES_REP)
    token, _key = api_token_create(membership=colleague, name="colleague's")
    client = signed_in_client(member(Role.ADMIN))

    response = client.post(reverse("api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_the_api_answers_404_for_another_organisations_members(member, foreign):
    stranger = foreign[0]
    api = token_client(member(Role.ADMIN))
    url = f"/api/v1/members/{stranger.pk}/"

    assert api.get(url).status_code == 404
    response = api.patch(url, {"role": Role.ADMIN}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.delete(url).status_code == 404
    assert Membership.objects.get(pk=stranger.pk).role == Role.SALES_REP


@pytest.mark.django_db
def test_the_member_list_shows_only_the_callers_organisation(member, foreign):
    me = member(Role.LEADERSHIP)
    api = token_client(me)

    body = api.get("/api/v1/members/").json()

    assert body["count"] == 1
    assert [row["user"]["username"] for row in body["results"]] == [me.user.username]
    page = signed_in_client(me).get(reverse("members")).content.decode()
    assert foreign[0].user.username not in page
