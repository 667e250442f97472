"""What every endpoint shares: pagination with count, one error shape, throttling, JSON 404/500."""

import pytest
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from orgs.api import MeView
from orgs.models import Role
from tests.conftest import signed_in_client, token_client
from tests.factories import MembershipFactory


@pytest.mark.django_db
def test_lists_are_paginated_with_a_count(member):
    me = member(Role.ADMIN)
    MembershipFactory.create_batch(4, organization=me.organization)
    api = token_client(me)

    first = api.get("/api/v1/members/?page_size=2").json()
    last = api.get("/api/v1/members/?page_size=2&page=3").json()

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"].endswith("page=2&page_size=2")
    assert len(last["results"]) == 1
    assert last["next"] is None


@pytest.mark.django_db
def test_a_page_past_the_end_is_a_404_in_the_error_shape(member):
    response = token_client(member()).get("/api/v1/members/?page=99")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_malformed_json_is_a_400_in_the_error_shape(member):
    target = member(Role.SALES_REP)
    api = token_client(member(Role.ADMIN))

    response = api.generic(
        "PATCH", f"/api/v1/members/{target.pk}/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    target.refresh_from_db()
    assert target.role == Role.SALES_REP


@pytest.mark.django_db
def test_an_unsupported_method_is_a_405_in_the_error_shape(member):
    response = token_client(member()).post("/api/v1/members/", {}, format="json")

    assert response.status_code == 405
    assert response.json()["error"] == {
        "status": 405,
        "code": "method_not_allowed",
        "message": 'Method "POST" not allowed.',
    }


@pytest.mark.django_db
def test_too_many_requests_are_throttled_in_the_error_shape(member, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"}
    )
    api = token_client(member())

    statuses = [api.get("/api/v1/me/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    error = api.get("/api/v1/me/").json()["error"]
    assert error["code"] == "throttled"
    assert "Expected available in" in error["message"]


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_server_error_in_the_api_answers_json(member, monkeypatch):
    def explode(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(MeView, "get", explode)
    api = token_client(member())
    api.raise_request_exception = False

    response = api.get("/api/v1/me/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_a_body_too_large_is_a_413_in_the_error_shape_and_changes_nothing(member):
    """Django refuses it before the view runs; the API still answers in its shape."""
    target = member(Role.SALES_REP)
    api = token_client(member(Role.ADMIN))
    body = '{"role": "admin", "pad": "' + "x" * 3_000_000 + '"}'

    response = api.generic(
        "PATCH", f"/api/v1/members/{target.pk}/", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "too_large"
    assert "2.5\xa0MB" in response.json()["error"]["message"]  # the limit, readable
    target.refresh_from_db()
    assert target.role == Role.SALES_REP


TOO_MANY = "&".join(f"a{i}=1" for i in range(1200))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS


@pytest.mark.django_db
def test_too_many_parameters_are_a_400_in_the_error_shape_on_the_api_a_page_on_a_page(member):
    api = token_client(member(Role.ADMIN))
    client = signed_in_client(member(Role.ADMIN))

    response = api.get(f"/api/v1/sla/breaches/?{TOO_MANY}")
    page = client.get(f"/sla/breaches/?{TOO_MANY}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_fields"
    assert "1000 parameters" in response.json()["error"]["message"]
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
