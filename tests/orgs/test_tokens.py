import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import ApiToken, Role
from orgs.services import api_token_create, api_token_revoke, hash_secret
from tests.conftest import signed_in_client


def _api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_a_revoked_token_is_refused(member):
    token, key = api_token_create(membership=member(Role.ADMIN), name="cli")
    assert _api(key).get("/api/v1/me/").status_code == 200

    api_token_revoke(token=token)
    response = _api(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "authentication_failed",
            "message": "Invalid or revoked token.",
        }
    }


@pytest.mark.django_db
def test_a_revoked_token_is_refused_after_revoking_in_the_ui(member):
    me = member(Role.SALES_REP)
    token, key = api_token_create(membership=me, name="cli")

    signed_in_client(me).post(reverse("api-token-revoke", args=[token.pk]))

    assert _api(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token smk_not-a-real-key", "Token \u00e9"]
)
def test_bad_token_headers_are_refused(header, member):
    member(Role.ADMIN)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_token_stops_working_when_its_member_leaves(member):
    me = member(Role.SALES_REP)
    _token, key = api_token_create(membership=me, name="cli")

    me.delete()

    assert _api(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_token_of_an_inactive_user_is_refused(member):
    me = member(Role.SALES_REP)
    _token, key = api_token_create(membership=me, name="cli")
    me.user.is_active = False
    me.user.save()

    assert _api(key).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_token_acts_with_the_members_current_role(member):
    me = member(Role.LEADERSHIP)
    _token, key = api_token_create(membership=me, name="cli")
    assert _api(key).get("/api/v1/me/").json()["role"] == "leadership"

    me.role = Role.ADMIN
    me.save()

    assert _api(key).get("/api/v1/me/").json()["role"] == "admin"


@pytest.mark.django_db
def test_only_a_hash_of_the_key_is_stored(member):
    token, key = api_token_create(membership=member(), name="cli")

    stored = ApiToken.objects.get(pk=token.pk)

    assert stored.key_hash == hash_secret(key)
    assert key not in (stored.key_hash, stored.prefix, stored.name)


@pytest.mark.django_db
def test_the_ui_shows_a_new_key_once(member):
    me = member(Role.SALES_REP)
    client = signed_in_client(me)

    created = client.post(reverse("api-tokens"), {"name": "BI export"}).content.decode()
    listed = client.get(reverse("api-tokens")).content.decode()

    token = ApiToken.objects.get(membership=me)
    key = created.split('data-testid="new-token">')[1].split("<")[0]
    assert _api(key).get("/api/v1/me/").status_code == 200
    assert key not in listed
    assert token.prefix in listed


@pytest.mark.django_db
def test_an_empty_token_name_is_refused(member):
    me = member(Role.SALES_REP)

    response = signed_in_client(me).post(reverse("api-tokens"), {"name": "  "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_create_api_token_prints_a_working_key_last(member, capsys):
    me = member(Role.SALES_MANAGER)

    call_command("create_api_token", me.user.username, "--org", "acme")

    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert _api(key).get("/api/v1/me/").json()["role"] == "sales_manager"


@pytest.mark.django_db
def test_create_api_token_refuses_a_non_member(member, other_org):
    from django.core.management.base import CommandError

    me = member(Role.SALES_MANAGER)

    with pytest.raises(CommandError, match="not a member"):
        call_command("create_api_token", me.user.username, "--org", other_org.slug)
    assert not ApiToken.objects.exists()
