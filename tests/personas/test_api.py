"""/api/v1/personas/: roles x actions, tenant isolation, bad inputs, the list's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Role
from personas.models import Approval, Criterion, Persona, PersonaVersion
from tests.conftest import ALL_ROLES, token_client
from tests.personas.conftest import CRITERIA

pytestmark = pytest.mark.django_db
URL = "/api/v1/personas/"
EDITORS = {Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER}
BODY = {
    "name": "Mid-size software",
    "description": "Software companies of 50 to 500 people",
    "decision_maker": "The CTO",
    "threshold": 70,
    "criteria": CRITERIA,
}


def written():
    return (
        Persona.objects.count(),
        PersonaVersion.objects.count(),
        Criterion.objects.count(),
        Approval.objects.count(),
    )


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_only_editors_create(role, member, persona):
    persona()
    client = token_client(member(role))

    listed = client.get(URL)
    created = client.post(URL, BODY, format="json")

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    if role in EDITORS:
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["current_version"]["number"] == 1
        assert body["current_version"]["threshold"] == 70
        assert body["current_version"]["criteria"][1]["params"] == {"min": "50", "max": "500"}
        assert body["approved_version"] is None
    else:
        assert_error(created, 403, "permission_denied")
        assert Persona.objects.count() == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_editors_patch(role, member, persona):
    draft = persona()

    response = token_client(member(role)).patch(
        f"{URL}{draft.pk}/", {"pains": "Manual reports"}, format="json"
    )

    if role in EDITORS:
        assert response.status_code == 200
        assert response.json()["current_version"]["pains"] == "Manual reports"
    else:
        assert_error(response, 403)
        assert PersonaVersion.objects.get().pains == ""


@pytest.mark.parametrize(
    ("role", "side", "status", "stood_in"),
    [
        (Role.MARKETING_MANAGER, "marketing", 200, False),
        (Role.SALES_MANAGER, "sales", 200, False),
        (Role.ADMIN, "marketing", 200, True),
        (Role.ADMIN, "sales", 200, True),
        (Role.MARKETING_MANAGER, "sales", 403, None),
        (Role.SALES_MANAGER, "marketing", 403, None),
        (Role.LEADERSHIP, "marketing", 403, None),
        (Role.SALES_REP, "sales", 403, None),
    ],
)
def test_who_approves_which_side(role, side, status, stood_in, member, persona):
    draft = persona()

    response = token_client(member(role)).post(
        f"{URL}{draft.pk}/approve/", {"side": side}, format="json"
    )

    assert response.status_code == status, response.content
    if status == 200:
        (approval,) = response.json()["current_version"]["approvals"]
        assert approval["side"] == side
        assert approval["stood_in_as_admin"] is stood_in
        assert approval["by"]["name"]
    else:
        assert_error(response, 403, "permission_denied")
        assert not Approval.objects.exists()


def test_a_manager_refused_the_other_side_is_told_why(member, persona):
    draft = persona()

    response = token_client(member(Role.MARKETING_MANAGER)).post(
        f"{URL}{draft.pk}/approve/", {"side": "sales"}, format="json"
    )

    assert "approves for Marketing only" in assert_error(response, 403)["message"]


def test_two_approvals_then_an_edit_then_the_history(member, persona):
    draft = persona()
    marketing = token_client(member(Role.MARKETING_MANAGER))
    sales = token_client(member(Role.SALES_MANAGER))

    marketing.post(f"{URL}{draft.pk}/approve/", {"side": "marketing"}, format="json")
    approved = sales.post(
        f"{URL}{draft.pk}/approve/", {"side": "sales", "version": 1}, format="json"
    ).json()
    edited = marketing.patch(f"{URL}{draft.pk}/", {"threshold": 75}, format="json").json()
    history = sales.get(f"{URL}{draft.pk}/versions/").json()

    assert approved["approved_version"]["number"] == 1
    assert approved["current_version"]["is_approved"] is True
    assert edited["current_version"]["number"] == 2
    assert edited["current_version"]["threshold"] == 75
    assert edited["approved_version"]["threshold"] == 60
    assert [v["number"] for v in history["results"]] == [2, 1]
    assert [a["side"] for a in history["results"][1]["approvals"]] == ["marketing", "sales"]
    assert history["results"][0]["approvals"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"side": "finance"}, "side"),
        ({}, "side"),
        ({"side": "sales", "version": 9}, "version"),
        ({"side": "sales", "version": "one"}, "version"),
        ({"side": "sales", "version": 2**40}, "version"),
    ],
)
def test_a_bad_approval_is_a_400_naming_the_field(body, field, member, persona):
    draft = persona()

    response = token_client(member(Role.SALES_MANAGER)).post(
        f"{URL}{draft.pk}/approve/", body, format="json"
    )

    assert field in assert_error(response, 400, "invalid")["fields"]
    assert not Approval.objects.exists()


def test_approving_a_side_twice_is_a_400(member, persona):
    draft = persona()
    client = token_client(member(Role.SALES_MANAGER))
    client.post(f"{URL}{draft.pk}/approve/", {"side": "sales"}, format="json")

    again = token_client(member(Role.ADMIN)).post(
        f"{URL}{draft.pk}/approve/", {"side": "sales"}, format="json"
    )

    assert "already approved" in assert_error(again, 400)["fields"]["side"][0]
    assert Approval.objects.count() == 1


def criterion(**changes):
    return {**CRITERIA[0], **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"goals": "x" * 2001}, "goals"),
        ({"threshold": 101}, "threshold"),
        ({"threshold": -1}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"criteria": "industry"}, "criteria"),
        ({"criteria": [criterion()] * 31}, "criteria"),
        ({"criteria": [criterion(kind="age_in")]}, "criteria"),
        ({"criteria": [criterion(weight=0)]}, "criteria"),
        ({"criteria": [criterion(weight=101)]}, "criteria"),
        ({"criteria": [criterion(params={"values": []})]}, "criteria"),
        ({"criteria": [criterion(params={"values": ["x"] * 51})]}, "criteria"),
        ({"criteria": [criterion(params=["Software"])]}, "criteria"),
        ({"criteria": [{"kind": "industry_in"}]}, "criteria"),  # no params: a PATCH too
        ({"criteria": [{"params": {"values": ["Software"]}}]}, "criteria"),
        (
            {"criteria": [{"kind": "employees_between", "params": {"min": 9, "max": 1}}]},
            "criteria",
        ),
    ],
)
def test_bad_inputs_are_a_400_in_the_one_shape_and_write_nothing(changes, field, member, persona):
    draft = persona()
    client = token_client(member(Role.MARKETING_MANAGER))
    before = written()

    created = client.post(URL, {**BODY, **changes}, format="json")
    patched = client.patch(f"{URL}{draft.pk}/", changes, format="json")

    for response in (created, patched):
        assert field in assert_error(response, 400, "invalid")["fields"]
    assert written() == before
    assert PersonaVersion.objects.get().name == "Mid-size software"


def test_a_patched_criterion_without_its_weight_weighs_one(member, persona):
    draft = persona()
    client = token_client(member(Role.MARKETING_MANAGER))
    given = {"kind": "industry_in", "params": {"values": ["Software"]}}

    patched = client.patch(f"{URL}{draft.pk}/", {"criteria": [given]}, format="json")

    assert patched.status_code == 200, patched.json()
    criteria = patched.json()["current_version"]["criteria"]
    assert [(c["kind"], c["weight"]) for c in criteria] == [("industry_in", 1)]


def test_a_body_that_is_not_json_is_a_4xx(member):
    response = token_client(member()).post(URL, "name=x", content_type="text/plain")

    assert_error(response, 415)
    assert not Persona.objects.exists()


def test_put_and_delete_are_not_offered(member, persona):
    draft = persona()
    client = token_client(member())

    assert_error(client.put(f"{URL}{draft.pk}/", BODY, format="json"), 405)
    assert_error(client.delete(f"{URL}{draft.pk}/"), 405)
    assert Persona.objects.count() == 1


def test_archived_personas_leave_the_list_but_stay_readable(member, persona):
    draft = persona()
    client = token_client(member(Role.MARKETING_MANAGER))

    archived = client.post(f"{URL}{draft.pk}/archive/").json()

    assert archived["archived_at"]
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{draft.pk}/").status_code == 200
    refused = client.patch(f"{URL}{draft.pk}/", {"name": "Back"}, format="json")
    assert "archived" in assert_error(refused, 400)["fields"]["non_field_errors"][0]
    assert_error(token_client(member(Role.LEADERSHIP)).post(f"{URL}{draft.pk}/archive/"), 403)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "{id}/", None),
        ("patch", "{id}/", {"name": "Mine now"}),
        ("post", "{id}/approve/", {"side": "marketing"}),
        ("post", "{id}/archive/", None),
        ("get", "{id}/versions/", None),
    ],
)
def test_another_organisations_persona_is_404(method, path, body, member, persona, other_org):
    theirs = persona(organization=other_org)
    client = token_client(member(Role.ADMIN))

    response = getattr(client, method)(
        URL + path.format(id=theirs.pk), body, format="json" if body else None
    )

    assert_error(response, 404, "not_found")
    assert PersonaVersion.objects.get().name == "Mid-size software"
    assert not Approval.objects.exists()
    assert Persona.objects.get().archived_at is None


def test_the_list_shows_only_the_callers_organisation(member, persona, other_org):
    persona(organization=other_org)
    mine = persona(name="Ours")

    results = token_client(member(Role.LEADERSHIP)).get(URL).json()["results"]

    assert [(p["id"], p["current_version"]["name"]) for p in results] == [(mine.pk, "Ours")]


def test_the_list_reads_a_fixed_number_of_queries(member, persona):
    client = token_client(member(Role.LEADERSHIP))
    persona()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    count()  # the token's first use is recorded once
    few = count()
    for i in range(5):
        more = persona(name=f"Persona {i}")
        persona_update_twice(more)
    many = count()

    # count, personas, versions, criteria, approvals (the token is cached after its first use)
    assert few == many == 5


def persona_update_twice(persona):
    from personas.services import persona_update

    persona_update(persona=persona, by=None, pains="a")
    persona_update(persona=persona, by=None, pains="b")


def test_the_schema_documents_every_persona_operation(client):
    schema = client.get("/api/schema/?format=json").json()

    paths = schema["paths"]
    assert set(paths[URL]) == {"get", "post"}
    assert set(paths[URL + "{id}/"]) == {"get", "patch"}
    approve = paths[URL + "{id}/approve/"]["post"]
    assert approve["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    reference = approve["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert body["required"] == ["side"]
    assert "get" in paths[URL + "{id}/versions/"]
