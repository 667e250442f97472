import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from orgs.middleware import SESSION_KEY
from orgs.models import Role
from orgs.services import api_token_create
from smarketing.lib.redis_breaker import breaker
from tests.factories import MembershipFactory, OrganizationFactory

ALL_ROLES = list(Role)


def link_in(text: str, pattern: str = r"http://testserver(/\S+)") -> str:
    """The path of the first link in an e-mail body."""
    match = re.search(pattern, text)
    assert match, f"no link in: {text}"
    return match.group(1)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in Russian leaves Russian active in
    the thread (the locale middleware activates it and nothing deactivates it), and a later
    test's service messages would come out in Russian."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def redis_breaker_closed():
    """Each test starts with every Redis trusted: a failure one test provoked (a broker
    made to fail) must not make the next test skip the real Redis."""
    breaker.reset()
    yield
    breaker.reset()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Other Inc", slug="other")


@pytest.fixture
def member(org):
    """member(role) -> a Membership in `org` with that role."""

    def make(role=Role.ADMIN, organization=None):
        return MembershipFactory(organization=organization or org, role=role)

    return make


def signed_in_client(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.organization_id
    session.save()
    return client


def token_client(membership) -> APIClient:
    _token, key = api_token_create(membership=membership, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def client_as(member):
    """client_as(role) -> a browser-like client signed in as a member with that role."""
    return lambda role=Role.ADMIN: signed_in_client(member(role))


@pytest.fixture
def api_as(member):
    """api_as(role) -> an API client with a token of a member with that role."""
    return lambda role=Role.ADMIN: token_client(member(role))
