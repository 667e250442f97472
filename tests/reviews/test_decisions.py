"""The decisions of a review, kept on its pack: taken, edited, ticked off and deleted by
the managers (and admins), with every bad input refused beside its field and nothing lost."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.services.leads import lead_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from reviews.models import ReviewDecision
from reviews.services.decisions import (
    decision_create,
    decision_delete,
    decision_edit,
    decision_mark_done,
)
from smarketing.lib.months import add_months
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory
from tests.sla.compliance_history import text_of

pytestmark = pytest.mark.django_db
FEBRUARY = date(2026, 2, 1)
TODAY = date(2026, 3, 5)


@pytest.fixture
def since_january(org):
    lead_create(organization=org, by=None, name="First", stage="lead",
                created_at=datetime(2026, 1, 15, tzinfo=UTC))  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    return org


@pytest.fixture
def mia(member):
    return member(Role.MARKETING_MANAGER)


def _take(org, member, **fields):
    values = {"text": "Move the webinar budget to search", "owner": member, "due": date(2026, 3, 31),
              "month": FEBRUARY} | fields  # fmt: skip
    return decision_create(organization=org, by=member.user, today=TODAY, **values)


def test_a_decision_is_taken_at_a_review_with_its_owner_and_due_date(org, mia):
    decision = _take(
        org, mia, text="  Move the webinar budget to search  ", month=date(2026, 2, 17)
    )

    decision.refresh_from_db()
    assert decision.month == FEBRUARY  # the review's month, whatever day it was given
    assert decision.text == "Move the webinar budget to search"
    assert (decision.owner, decision.created_by, decision.due) == (mia, mia.user, date(2026, 3, 31))
    assert decision.state(TODAY) == ReviewDecision.State.OPEN
    assert decision.state(date(2026, 4, 1)) == ReviewDecision.State.OVERDUE


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"owner": None}, "owner"),
        ({"due": date(2026, 1, 31)}, "due"),  # before the review's month
        ({"due": TODAY + timedelta(days=732)}, "due"),  # more than two years away
        ({"due": None}, "due"),
    ],
)
def test_a_bad_decision_is_refused_by_field_and_nothing_is_written(org, mia, fields, field):
    with pytest.raises(ValidationError) as refused:
        _take(org, mia, **fields)

    assert field in refused.value.message_dict
    assert not ReviewDecision.objects.exists()


def test_the_owner_must_be_a_member_of_the_organisation(org, other_org, mia):
    stranger = MembershipFactory(organization=other_org, role=Role.SALES_MANAGER)

    with pytest.raises(ValidationError) as refused:
        _take(org, mia, owner=stranger)

    assert refused.value.message_dict["owner"] == [
        "The owner must be a member of this organisation."
    ]
    assert not ReviewDecision.objects.exists()


def test_a_review_keeps_a_short_list(org, mia):
    for i in range(30):
        _take(org, mia, text=f"Decision {i}")

    with pytest.raises(ValidationError, match="already has 30 decisions"):
        _take(org, mia, text="One too many")

    assert ReviewDecision.objects.count() == 30


def test_a_decision_is_edited_ticked_off_opened_again_and_deleted(org, mia, member):
    decision = _take(org, mia)
    sam = member(Role.SALES_MANAGER)

    decision_edit(
        decision=decision, text="Move half of it", owner=sam, due=date(2026, 4, 15), today=TODAY
    )
    first = datetime(2026, 3, 20, tzinfo=UTC)
    decision_mark_done(decision=decision, now=first)
    decision_mark_done(decision=decision, now=first + timedelta(days=3))  # done already: kept

    decision.refresh_from_db()
    assert (decision.text, decision.owner, decision.due) == (
        "Move half of it",
        sam,
        date(2026, 4, 15),
    )
    assert decision.month == FEBRUARY
    assert decision.done_at == first
    assert decision.state(date(2026, 5, 1)) == ReviewDecision.State.DONE
    decision_mark_done(decision=decision, done=False)
    decision.refresh_from_db()
    assert decision.done_at is None
    decision_delete(decision=decision)
    assert not ReviewDecision.objects.exists()


def test_an_edit_that_is_refused_changes_nothing(org, mia):
    decision = _take(org, mia)

    with pytest.raises(ValidationError):
        decision_edit(decision=decision, text="", owner=mia, due=date(2026, 3, 31), today=TODAY)

    decision.refresh_from_db()
    assert decision.text == "Move the webinar budget to search"


# -- The pack's page ----------------------------------------------------------------------

PACK = "/reviews/2026-02/"


def _post(client, path, data, **headers):
    return client.post(path, {"pack": "2026-02", **data}, **headers)


def _typed(member, **fields):
    return {
        "text": "Call every webinar lead within a day",
        "owner": member.pk,
        "due": "2026-03-15",
    } | fields


def test_a_manager_adds_a_decision_without_javascript_and_finds_it_on_the_pack(since_january, mia):
    client = signed_in_client(mia)

    answer = _post(client, f"{PACK}decisions/", _typed(mia))

    assert answer.status_code == 302
    assert answer["Location"] == f"{PACK}#decisions"
    decision = ReviewDecision.objects.get()
    assert (decision.month, decision.created_by, decision.owner) == (FEBRUARY, mia.user, mia)
    assert "Call every webinar lead within a day" in text_of(client.get(PACK), "this-review")


def test_with_htmx_the_decisions_are_redrawn_in_place(since_january, mia):
    client = signed_in_client(mia)

    answer = _post(client, f"{PACK}decisions/", _typed(mia), HTTP_HX_REQUEST="true")

    body = answer.content.decode()
    assert answer.status_code == 200
    assert "<html" not in body
    assert body.startswith('<div id="pack-decisions"')
    assert "Call every webinar lead within a day" in body


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": "x" * 501}, "Ensure this value has at most 500 characters (it has 501)."),
        ({"due": "2026-02-30"}, "Enter a valid date."),
        ({"due": "tomorrow"}, "Enter a valid date."),
        ({"due": "2031-01-01"}, "at most two years ahead"),
        ({"due": "2026-01-20"}, "not before the review"),
        ({"owner": "999999"}, "Select a valid choice."),
        ({"owner": "x"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_decision_on_the_page_is_refused_beside_its_field_keeping_what_was_typed(
    since_january, mia, fields, error, htmx
):
    client = signed_in_client(mia)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    typed = _typed(mia, **fields)

    answer = _post(client, f"{PACK}decisions/", typed, **headers)

    body = answer.content.decode()
    assert answer.status_code == 400
    assert error in body
    assert 'class="error" role="alert"' in body
    assert f'value="{typed["due"]}"' in body  # what was typed, kept
    assert typed["text"] in body
    assert not ReviewDecision.objects.exists()


def test_an_owner_from_another_organisation_is_refused(since_january, other_org, mia):
    stranger = MembershipFactory(organization=other_org, role=Role.SALES_MANAGER)

    answer = _post(signed_in_client(mia), f"{PACK}decisions/", _typed(stranger))

    assert answer.status_code == 400
    assert "Select a valid choice." in answer.content.decode()
    assert not ReviewDecision.objects.exists()


def test_a_decision_for_a_month_without_a_pack_is_not_found(since_january, mia):
    answer = _post(
        signed_in_client(mia), "/reviews/2025-12/decisions/", _typed(mia, due="2025-12-20")
    )

    assert answer.status_code == 404
    assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.SALES_REP])
def test_a_role_that_does_not_keep_reviews_may_not_touch_the_decisions(
    since_january, org, mia, member, role
):
    decision = _take(org, mia)
    client = signed_in_client(member(role))

    assert _post(client, f"{PACK}decisions/", _typed(mia)).status_code == 403
    assert (
        _post(
            client, f"/reviews/decisions/{decision.pk}/edit/", _typed(mia, text="Mine")
        ).status_code
        == 403
    )
    assert _post(client, f"/reviews/decisions/{decision.pk}/done/", {}).status_code == 403
    assert _post(client, f"/reviews/decisions/{decision.pk}/delete/", {}).status_code == 403

    decision.refresh_from_db()
    assert (decision.text, decision.done_at) == ("Move the webinar budget to search", None)
    assert ReviewDecision.objects.count() == 1


def test_another_organisations_decision_is_not_found(since_january, other_org, member):
    theirs = _take(other_org, MembershipFactory(organization=other_org, role=Role.ADMIN))
    client = signed_in_client(member(Role.ADMIN))

    assert client.get(f"/reviews/decisions/{theirs.pk}/edit/").status_code == 404
    assert (
        _post(client, f"/reviews/decisions/{theirs.pk}/edit/", {"text": "Ours"}).status_code == 404
    )
    assert _post(client, f"/reviews/decisions/{theirs.pk}/done/", {}).status_code == 404
    assert _post(client, f"/reviews/decisions/{theirs.pk}/delete/", {}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.text, theirs.done_at) == ("Move the webinar budget to search", None)


def test_a_decision_is_edited_in_its_row_and_ticked_off_from_the_next_pack(since_january, org, mia):
    decision = _take(org, mia)
    client = signed_in_client(mia)
    march = "/reviews/2026-03/"

    row = client.get(f"/reviews/decisions/{decision.pk}/edit/?pack=2026-03", HTTP_HX_REQUEST="true")
    assert row.content.decode().startswith(f'<li id="decision-{decision.pk}"')
    refused = client.post(f"/reviews/decisions/{decision.pk}/edit/", {"pack": "2026-03", **_typed(mia, text="")},
                          HTTP_HX_REQUEST="true")  # fmt: skip
    assert refused.status_code == 400
    assert refused["HX-Retarget"] == f"#decision-{decision.pk}"
    saved = client.post(f"/reviews/decisions/{decision.pk}/edit/",
                        {"pack": "2026-03", **_typed(mia, text="Move half of it")}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert "Move half of it" in saved.content.decode()
    done = client.post(f"/reviews/decisions/{decision.pk}/done/", {"pack": "2026-03", "done": "1"})
    assert done["Location"] == f"{march}#decisions"

    decision.refresh_from_db()
    assert decision.text == "Move half of it"
    assert decision.done_at is not None
    last = text_of(client.get(march), "last-review")
    assert last.startswith("done Move half of it")
    client.post(f"/reviews/decisions/{decision.pk}/done/", {"pack": "2026-03", "done": "0"})
    decision.refresh_from_db()
    assert decision.done_at is None


def test_without_javascript_a_decision_is_edited_on_a_page_of_its_own(since_january, org, mia):
    decision = _take(org, mia)
    client = signed_in_client(mia)

    form = client.get(f"/reviews/decisions/{decision.pk}/edit/?pack=2026-02")
    refused = _post(
        client, f"/reviews/decisions/{decision.pk}/edit/", _typed(mia, due="2026-02-31")
    )
    saved = _post(
        client, f"/reviews/decisions/{decision.pk}/edit/", _typed(mia, text="Move half of it")
    )

    assert form.status_code == 200
    assert "<html" in form.content.decode()
    assert "Move the webinar budget to search" in form.content.decode()
    assert refused.status_code == 400
    assert "Enter a valid date." in refused.content.decode()
    assert saved["Location"] == f"{PACK}#decisions"
    decision.refresh_from_db()
    assert decision.text == "Move half of it"


def test_a_decision_is_deleted(since_january, org, mia):
    decision = _take(org, mia)

    answer = _post(
        signed_in_client(mia),
        f"/reviews/decisions/{decision.pk}/delete/",
        {},
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 200
    assert "None yet." in answer.content.decode()
    assert not ReviewDecision.objects.exists()


def test_a_decision_can_be_taken_at_the_review_of_the_month_under_way(since_january, mia):
    this_month = timezone.now().date().replace(day=1)
    due = add_months(this_month, 1)

    answer = signed_in_client(mia).post(
        f"/reviews/{this_month:%Y-%m}/decisions/", _typed(mia, due=due.isoformat())
    )

    assert answer.status_code == 302
    assert ReviewDecision.objects.get().month == this_month
