"""A JSON body nested past MAX_JSON_DEPTH (32) is a 400 in the one error shape, found without
recursing: 100,000 levels raised RecursionError, a 500. Brackets inside strings do not count."""

import pytest

from crm.models import Lead
from orgs.models import Role
from smarketing.lib.api_parsers import json_too_deep
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
LEADS = "/api/v1/leads/"


def nested(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


def test_it_measures_nesting_without_counting_brackets_in_strings():
    assert not json_too_deep(nested(32))
    assert json_too_deep(nested(33))
    assert json_too_deep('{"a":' * 33 + "1" + "}" * 33)
    assert not json_too_deep('{"name": "' + "[" * 100 + '"}')
    assert not json_too_deep(r'{"name": "a \"[[[[ quoted\" b", "x": [[1]]}')
    assert json_too_deep(nested(100_000))


@pytest.mark.parametrize("levels", [100_000, 33])
def test_a_body_nested_too_deep_is_a_400_and_stores_nothing(levels, member):
    api = token_client(member(Role.SALES_REP))

    response = api.generic(
        "POST",
        LEADS,
        '{"name": "Ann", "x": ' + nested(levels) + "}",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "status": 400,
        "code": "too_deep",
        "message": "The JSON body nests deeper than 32 levels.",
    }
    assert not Lead.objects.exists()


def test_a_body_nested_32_deep_is_parsed(member):
    api = token_client(member(Role.SALES_REP))

    response = api.generic(
        "POST",
        LEADS,
        '{"name": "Ann [{(", "x": ' + nested(31) + "}",
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Lead.objects.get().name == "Ann [{("


def test_the_import_endpoint_parses_json_with_the_same_limit(member):
    response = token_client(member(Role.ADMIN)).generic(
        "POST", "/api/v1/imports/", nested(100_000), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deep"
