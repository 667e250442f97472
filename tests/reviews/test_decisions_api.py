"""/api/v1/reviews/decisions/: the review decisions over the API, with the pages' rules:
managers and admins keep them, every member reads them, bad input answers 400 naming the
field and writes nothing, and another organisation's ids are not found."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from crm.services.leads import lead_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from reviews.models import ReviewDecision
from tests.conftest import token_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews/decisions/"


@pytest.fixture
def since_january(org):
    lead_create(organization=org, by=None, name="First", stage="lead",
                created_at=datetime(2026, 1, 15, tzinfo=UTC))  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    return org


@pytest.fixture
def sam(member):
    return member(Role.SALES_MANAGER)


def _body(member, **fields):
    return {"month": "2026-02", "text": "Call every webinar lead within a day", "owner": member.pk,
            "due": "2026-03-15"} | fields  # fmt: skip


def test_a_manager_takes_a_decision_ticks_it_off_and_deletes_it(since_january, sam, member):
    api = token_client(sam)

    made = api.post(URL, _body(sam), format="json")
    assert made.status_code == 201
    decision = made.json()
    assert decision["month"] == "2026-02"
    assert decision["owner"] == {"id": sam.pk, "name": str(sam.user)}
    assert decision["created_by"]["id"] == sam.user.pk
    assert decision["state"] in ("open", "overdue")  # due 15 March 2026, relative to today
    one = f"{URL}{decision['id']}/"

    done = api.patch(one, {"done": True, "text": "Call them within four hours"}, format="json")
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["text"]) == ("done", "Call them within four hours")
    assert done.json()["done_at"] is not None

    listed = token_client(member(Role.LEADERSHIP)).get(f"{URL}?month=2026-02").json()
    assert [d["id"] for d in listed["results"]] == [decision["id"]]
    assert token_client(member(Role.SALES_REP)).get(f"{URL}?month=2026-03").json()["results"] == []
    assert api.patch(one, {"done": False}, format="json").json()["state"] != "done"
    assert api.delete(one).status_code == 204
    assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"owner": 999999}, "owner"),
        ({"owner": "Sam"}, "owner"),
        ({"due": "2026-02-30"}, "due"),
        ({"due": "2026-01-31"}, "due"),  # before the review's month
        ({"due": (timezone.now().date() + timedelta(days=800)).isoformat()}, "due"),
        ({"due": "0001-01-01"}, "due"),
        ({"month": "2025-12"}, "month"),  # before the organisation's data
        ({"month": "2099-01"}, "month"),
        ({"month": "2026-13"}, "month"),
    ],
)
def test_a_bad_decision_answers_400_naming_the_field_and_writes_nothing(
    since_january, sam, fields, field
):
    answer = token_client(sam).post(URL, _body(sam, **fields), format="json")

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not ReviewDecision.objects.exists()


def test_an_owner_from_another_organisation_is_no_member_here(since_january, other_org, sam):
    stranger = MembershipFactory(organization=other_org, role=Role.SALES_MANAGER)

    answer = token_client(sam).post(URL, _body(stranger), format="json")

    assert answer.json()["error"]["fields"] == {"owner": ["No such member here."]}
    assert not ReviewDecision.objects.exists()


def test_a_bad_edit_changes_nothing(since_january, sam):
    api = token_client(sam)
    one = f"{URL}{api.post(URL, _body(sam), format='json').json()['id']}/"

    answer = api.patch(one, {"text": "Shorter", "due": "2031-01-01", "done": True}, format="json")

    assert answer.status_code == 400
    assert "due" in answer.json()["error"]["fields"]
    decision = ReviewDecision.objects.get()
    assert (decision.text, decision.done_at) == ("Call every webinar lead within a day", None)


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.SALES_REP])
def test_a_role_that_does_not_keep_reviews_reads_but_may_not_write(
    since_january, sam, member, role
):
    one = f"{URL}{token_client(sam).post(URL, _body(sam), format='json').json()['id']}/"
    api = token_client(member(role))

    assert api.get(one).status_code == 200
    assert api.post(URL, _body(sam), format="json").status_code == 403
    assert api.patch(one, {"done": True}, format="json").status_code == 403
    assert api.delete(one).status_code == 403
    assert ReviewDecision.objects.get().done_at is None


def test_another_organisations_decision_is_not_found(since_january, other_org, member):
    boss = member(Role.ADMIN, organization=other_org)
    theirs = ReviewDecision.objects.create(organization=other_org, month=date(2026, 2, 1), text="Theirs",
                                           owner=boss, due=date(2026, 3, 1))  # fmt: skip
    api = token_client(member(Role.ADMIN))

    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.patch(f"{URL}{theirs.pk}/", {"done": True}, format="json").status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert api.get(URL).json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.done_at is None
