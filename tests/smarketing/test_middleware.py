"""Answers to signed-in members are never stored by a proxy or the browser."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from smarketing.middleware import PrivateAnswersMiddleware


def _directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/dashboards/marketing/", "/crm/leads/", "/crm/leads/?export=csv", "/plans/"],
)
def test_signed_in_pages_and_exports_are_private_and_not_stored(client_as, path):
    response = client_as().get(path)

    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.django_db
def test_an_api_answer_to_a_token_is_private_and_not_stored(api_as):
    response = api_as().get("/api/v1/leads/")

    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.django_db
def test_a_page_for_someone_signed_out_is_left_alone(client):
    response = client.get(reverse("password_reset"))

    assert response.status_code == 200
    assert "no-store" not in _directives(response)


def test_an_answer_that_chose_its_own_caching_keeps_it(django_user_model):
    request = RequestFactory().get("/somewhere/")
    request.user = django_user_model(username="ann")  # unsaved, yet signed in
    chosen = HttpResponse(headers={"Cache-Control": "private, max-age=60"})

    response = PrivateAnswersMiddleware(lambda r: chosen)(request)

    assert _directives(response) == {"private", "max-age=60"}


def test_a_signed_out_answer_gets_nothing():
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()

    response = PrivateAnswersMiddleware(lambda r: HttpResponse())(request)

    assert not response.has_header("Cache-Control")
