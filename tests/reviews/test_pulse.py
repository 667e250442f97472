"""The alignment pulse through its API and page: a team's results shown at three answers and
not at two, each team on its own, nothing shown while the pulse is open; answers that lead to
nobody; each bad answer refused with nothing stored; who may answer, open and set the
cadence; and another organisation's pulse out of reach."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from orgs.models import Role
from reviews.models import Pulse, PulseAnswer, PulseParticipation, PulseSchedule
from reviews.models.pulse import random_id
from reviews.pulse import STATEMENTS
from reviews.services.pulse import pulse_answer, pulse_open
from smarketing.lib.months import add_months
from tests.conftest import ALL_ROLES, signed_in_client, token_client
from tests.factories import MembershipFactory
from tests.reviews.pulse_fixtures import GOOD, answered, closed, opened, two_teams
from tests.sla.compliance_history import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(member):
    return two_teams(member)


@pytest.fixture
def pulse(org, teams):
    return opened(org)


def stored():
    return PulseAnswer.objects.count(), PulseParticipation.objects.count()


# --- The threshold ---------------------------------------------------------------------


def test_three_answers_are_shown_and_two_are_hidden_each_team_on_its_own(pulse, teams):
    for i, membership in enumerate(teams["marketing"]):
        answered(pulse, membership, comment=f"comment {'cba'[i]}", stuck=i + 1)
    for membership in teams["sales"][:2]:
        answered(pulse, membership, comment="a sales secret", conflict=5)
    closed(pulse)

    found = token_client(teams["leadership"]).get(f"/api/v1/pulse/{pulse.pk}/").json()

    marketing, sales = found["teams"]["marketing"], found["teams"]["sales"]
    assert marketing["shown"]
    assert marketing["answers"] == 3
    # stuck 1, 2, 3 -> mean 2 (a score of 75); the other four all 1: (4 + 2) / 5 = 1.2 -> 95
    assert marketing["statements"]["stuck"] == {"mean": "2", "score": "75"}
    assert marketing["score"] == "95"
    assert marketing["comments"] == ["comment a", "comment b", "comment c"]
    assert sales == {"answers": 2, "shown": False, "answers_needed": 3, "score": None,
                     "statements": None, "comments": []}  # fmt: skip
    # The index's pulse part is the shown team's alone.
    part = next(p for p in found["index"]["parts"] if p["part"] == "pulse")
    assert part["value"] == "0.95"


def test_the_other_way_round_sales_shown_and_marketing_hidden(pulse, teams):
    for membership in teams["sales"]:
        answered(pulse, membership, overlap=4)
    answered(pulse, teams["marketing"][0], comment="hidden")
    closed(pulse)

    found = token_client(teams["leadership"]).get("/api/v1/pulse/").json()

    assert found["latest"]["id"] == pulse.pk
    assert found["latest"]["teams"]["sales"]["shown"]
    assert found["latest"]["teams"]["sales"]["statements"]["overlap"]["mean"] == "4"
    assert found["latest"]["teams"]["marketing"]["answers"] == 1
    assert found["latest"]["teams"]["marketing"]["score"] is None
    assert found["trend"] == [{
        "pulse": pulse.pk, "period": pulse.period.isoformat(), "cadence": "monthly",
        "teams": {"marketing": {"answers": 1, "score": None},
                  "sales": {"answers": 3, "score": "85"}},
    }]  # fmt: skip


def test_the_page_says_how_many_answers_a_hidden_team_still_needs(pulse, teams):
    for membership in teams["marketing"]:
        answered(pulse, membership)
    for membership in teams["sales"][:2]:
        answered(pulse, membership)
    closed(pulse)

    page = signed_in_client(teams["leadership"]).get("/reviews/pulse/")

    assert page.status_code == 200
    assert text_of(page, "hidden-sales") == (
        "2 of 3 answers needed: results are hidden to keep answers anonymous."
    )
    assert text_of(page, "score-marketing") == "100.0 / 100"
    assert "hidden (2 answers)" in text_of(page, "trend-table")


def test_nothing_is_shown_while_the_pulse_is_open_whatever_the_count(pulse, teams):
    for membership in teams["marketing"] + teams["sales"]:
        answered(pulse, membership, comment="a comment written in secret")

    found = token_client(teams["leadership"]).get("/api/v1/pulse/").json()
    detail = token_client(teams["leadership"]).get(f"/api/v1/pulse/{pulse.pk}/").json()
    page = signed_in_client(teams["leadership"]).get(f"/reviews/pulse/{pulse.pk}/")

    assert found["open"]["answers"] == {"marketing": 3, "sales": 3}
    assert found["latest"] is None
    assert found["trend"] == []
    assert detail["status"] == "open"
    assert not detail["teams"]["marketing"]["shown"]
    assert detail["teams"]["sales"]["comments"] == []
    assert text_of(page, "hidden-marketing") == "Results are shown when the pulse closes."
    assert "a comment written in secret" not in page.content.decode()


# --- Anonymity -------------------------------------------------------------------------


def test_an_answer_leads_to_nobody(pulse, teams):
    for i, membership in enumerate(teams["marketing"]):
        answered(pulse, membership, comment=f"from {membership.user.username}", stuck=i + 1)
    closed(pulse)

    # The model: no member, no time, a random id.
    fields = {f.name: f for f in PulseAnswer._meta.get_fields()}
    assert not any(f.is_relation and f.related_model is not Pulse for f in fields.values()
                   if f.name not in ("organization",))  # fmt: skip
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField") for f in fields.values())
    assert fields["id"].default is random_id  # not the table's sequence: not answering order
    assert all(pk > 2**40 for pk in PulseAnswer.objects.values_list("pk", flat=True))
    participation = {f.name for f in PulseParticipation._meta.get_fields()}
    assert participation == {"id", "organization", "pulse", "user"}
    # The API and the page: nobody's id or name, no answer's id.
    reader = teams["leadership"]
    bodies = [
        token_client(reader).get("/api/v1/pulse/").content.decode(),
        token_client(reader).get(f"/api/v1/pulse/{pulse.pk}/").content.decode(),
        signed_in_client(reader).get(f"/reviews/pulse/{pulse.pk}/").content.decode(),
    ]
    for body in bodies:
        for answer_id in PulseAnswer.objects.values_list("pk", flat=True):
            assert str(answer_id) not in body
        for membership in teams["marketing"]:
            assert f'"user": {membership.user_id}' not in body
            assert str(membership.user) not in body.replace(str(reader.user), "")


def test_comments_are_ordered_by_text_not_by_when_they_came(pulse, teams):
    for membership, comment in zip(teams["sales"], ["zzz last", "aaa first", "mmm"], strict=True):
        answered(pulse, membership, comment=comment)
    closed(pulse)

    found = token_client(teams["admin"]).get(f"/api/v1/pulse/{pulse.pk}/").json()

    assert found["teams"]["sales"]["comments"] == ["aaa first", "mmm", "zzz last"]


# --- Bad answers: a clear 4xx and nothing stored ---------------------------------------


def body(**changes):
    return {**GOOD, "comment": ""} | changes


@pytest.mark.parametrize(
    ("sent", "field", "says"),
    [
        (body(stuck=0), "stuck", "greater than or equal to 1"),
        (body(conflict=6), "conflict", "less than or equal to 5"),
        ({k: v for k, v in body().items() if k != "overlap"}, "overlap", "required"),
        (body(projects=None), "projects", "may not be null"),
        (body(communication="often"), "communication", "valid integer"),
        (body(comment="x" * 1001), "comment", "no more than 1000 characters"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_stored(pulse, teams, sent, field, says):
    api = token_client(teams["sales"][1])

    answer = api.post("/api/v1/pulse/answers/", sent, format="json")

    assert answer.status_code == 400
    assert says in answer.json()["error"]["fields"][field][0]
    assert stored() == (0, 0)


def test_answering_twice_is_refused_and_the_first_answer_stays_alone(pulse, teams):
    api = token_client(teams["sales"][1])
    first = api.post("/api/v1/pulse/answers/", body(stuck=2), format="json")

    again = api.post("/api/v1/pulse/answers/", body(stuck=5), format="json")

    assert first.status_code == 201
    assert first.json() == {"pulse": pulse.pk, "answered": True}
    assert again.status_code == 400
    assert again.json()["error"]["fields"]["non_field_errors"] == [
        "You have already answered this pulse."
    ]
    assert stored() == (1, 1)
    assert PulseAnswer.objects.get().stuck == 2


def test_a_closed_pulse_takes_no_answer(pulse, teams):
    closed(pulse)
    api = token_client(teams["marketing"][0])

    named = api.post("/api/v1/pulse/answers/", body(pulse=pulse.pk), format="json")
    unnamed = api.post("/api/v1/pulse/answers/", body(), format="json")

    assert named.status_code == 400
    assert named.json()["error"]["fields"]["non_field_errors"] == [
        "This pulse is closed: it takes no more answers."
    ]
    assert unnamed.status_code == 400
    assert unnamed.json()["error"]["fields"]["pulse"] == ["No pulse is open now."]
    assert stored() == (0, 0)


@pytest.mark.parametrize("who", ["leadership", "admin"])
def test_leadership_and_admins_read_the_pulse_but_do_not_answer_it(pulse, teams, who):
    api = token_client(teams[who])

    answer = api.post("/api/v1/pulse/answers/", body(), format="json")

    page = signed_in_client(teams[who]).post(f"/reviews/pulse/{pulse.pk}/answer/", body())

    assert answer.status_code == 403
    assert page.status_code == 403
    assert stored() == (0, 0)
    assert api.get("/api/v1/pulse/").status_code == 200


def test_bad_answers_on_the_page_come_back_beside_their_fields(pulse, teams):
    client = signed_in_client(teams["marketing"][0])
    sent = {"overlap": "1", "conflict": "9", "projects": "2", "stuck": "1",
            "comment": "y" * 1001}  # fmt: skip

    page = client.post(f"/reviews/pulse/{pulse.pk}/answer/", sent)

    assert page.status_code == 400
    form = page.context["answer_form"]
    assert set(form.errors) == {"conflict", "communication", "comment"}
    assert "Choose how much you agree, from 1 to 5." in form.errors["communication"]
    assert "at most 1000 characters" in form.errors["comment"][0]
    assert stored() == (0, 0)


def test_answering_on_the_page_twice_or_after_closing_says_so(pulse, teams):
    client = signed_in_client(teams["marketing"][0])
    sent = dict.fromkeys(STATEMENTS, "2") | {"comment": "fine"}

    first = client.post(f"/reviews/pulse/{pulse.pk}/answer/", sent)
    again = client.post(f"/reviews/pulse/{pulse.pk}/answer/", sent)
    closed(pulse)
    late = signed_in_client(teams["marketing"][1]).post(f"/reviews/pulse/{pulse.pk}/answer/", sent)

    assert first.status_code == 302
    assert again.status_code == 400
    assert text_of(again, "error") == "You have already answered this pulse."
    assert late.status_code == 400
    assert text_of(late, "error") == "This pulse is closed: it takes no more answers."
    assert stored() == (1, 1)


# --- Roles -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_pulse(org, member, role):
    membership = member(role)

    assert signed_in_client(membership).get("/reviews/pulse/").status_code == 200
    assert token_client(membership).get("/api/v1/pulse/").status_code == 200
    assert token_client(membership).get("/api/v1/pulse/cadence/").json() == {"cadence": "monthly"}


@pytest.mark.parametrize(
    ("role", "answers", "keeps"),
    [
        (Role.MARKETING_MANAGER, True, True),
        (Role.SALES_MANAGER, True, True),
        (Role.SALES_REP, True, False),
        (Role.LEADERSHIP, False, False),
        (Role.ADMIN, False, True),
    ],
)
def test_who_answers_and_who_opens_and_sets_the_cadence(org, member, role, answers, keeps):
    membership = member(role)
    api, client = token_client(membership), signed_in_client(membership)

    opening = api.post("/api/v1/pulse/open/")
    if opening.status_code != 201:
        opened(org)
    answer = api.post("/api/v1/pulse/answers/", body(), format="json")
    cadence = api.put("/api/v1/pulse/cadence/", {"cadence": "quarterly"}, format="json")
    form = client.post("/reviews/pulse/cadence/", {"cadence": "monthly"})
    page = client.get("/reviews/pulse/").content.decode()

    assert opening.status_code == (201 if keeps else 403)
    assert answer.status_code == (201 if answers else 403)
    assert cadence.status_code == (200 if keeps else 403)
    assert form.status_code == (302 if keeps else 403)
    assert stored() == ((1, 1) if answers else (0, 0))
    assert PulseSchedule.objects.filter(organization=org).exists() is keeps
    assert ('data-testid="cadence-form"' in page) is keeps
    assert ('data-testid="open-now"' in page) is False  # open already


def test_the_page_asks_a_member_who_has_not_answered(pulse, teams):
    page = signed_in_client(teams["sales"][2]).get("/reviews/pulse/")
    reader = signed_in_client(teams["leadership"]).get("/reviews/pulse/")

    assert "answer-form" in page.content.decode()
    assert "You answer as a member of the Sales team" in page.content.decode()
    assert text_of(reader, "not-asked").startswith("Marketing and sales members answer")


def test_opening_again_and_a_bad_cadence_are_refused(pulse, teams):
    api = token_client(teams["sales"][0])
    client = signed_in_client(teams["sales"][0])

    again = api.post("/api/v1/pulse/open/")
    page = client.post("/reviews/pulse/open/")
    cadence = api.put("/api/v1/pulse/cadence/", {"cadence": "weekly"}, format="json")
    form = client.post("/reviews/pulse/cadence/", {"cadence": "weekly"})

    assert again.status_code == 400
    assert again.json()["error"]["fields"]["non_field_errors"][0].startswith("The pulse of ")
    assert page.status_code == 400
    assert "is open until" in text_of(page, "error")
    assert cadence.status_code == 400
    assert "cadence" in cadence.json()["error"]["fields"]
    assert form.status_code == 400
    assert "weekly" in text_of(form, "cadence-error")
    assert Pulse.objects.count() == 1
    assert not PulseSchedule.objects.exists()


def test_without_an_open_pulse_the_page_says_when_the_next_opens(org, teams):
    manager = signed_in_client(teams["sales"][0])

    before = manager.get("/reviews/pulse/")
    pulse = closed(opened(org))  # this period's, held already
    after = manager.get("/reviews/pulse/")
    rep = signed_in_client(teams["sales"][1]).get("/reviews/pulse/")

    next_month = add_months(pulse.period, 1)
    assert 'data-testid="open-now"' in before.content.decode()
    assert text_of(after, "next-opening") == (
        f"The next opens on {date_format(next_month, 'DATE_FORMAT')}, in the organisation's "
        "time zone, for 14 days."
    )
    assert 'data-testid="open-now"' not in after.content.decode()
    assert 'data-testid="open-now"' not in rep.content.decode()


# --- Tenants ---------------------------------------------------------------------------


def test_another_organisations_pulse_is_out_of_reach(pulse, teams, other_org):
    theirs = MembershipFactory(organization=other_org, role=Role.SALES_REP)
    api, client = token_client(theirs), signed_in_client(theirs)

    assert api.get(f"/api/v1/pulse/{pulse.pk}/").status_code == 404
    assert (
        api.post("/api/v1/pulse/answers/", body(pulse=pulse.pk), format="json").status_code == 404
    )
    assert client.get(f"/reviews/pulse/{pulse.pk}/").status_code == 404
    assert client.post(f"/reviews/pulse/{pulse.pk}/answer/", body()).status_code == 404
    assert api.get("/api/v1/pulse/").json()["open"] is None
    assert stored() == (0, 0)


def test_results_count_only_the_organisations_own_answers(pulse, teams, other_org, member):
    theirs = two_teams(member, other_org)
    their_pulse = opened(other_org)
    for membership in theirs["sales"]:
        answered(their_pulse, membership, stuck=5)
    for membership in teams["sales"]:
        answered(pulse, membership)
    closed(pulse), closed(their_pulse)

    ours = token_client(teams["admin"]).get("/api/v1/pulse/").json()

    assert ours["latest"]["teams"]["sales"]["score"] == "100"
    assert [t["pulse"] for t in ours["trend"]] == [pulse.pk]


def test_a_pulse_opened_in_the_past_has_its_own_window(org, teams):
    then = timezone.now() - timedelta(days=100)
    old = pulse_open(organization=org, now=then)

    assert old.opens_at == then
    assert not old.is_open(timezone.now())
    assert (old.closes_at - then) <= timedelta(days=14)


# --- Queries ---------------------------------------------------------------------------


def months_of_pulses(org, teams, count):
    """`count` past monthly pulses, each answered by every member of both teams."""
    first = timezone.now() - timedelta(days=31 * (count + 1))
    for i in range(count):
        then = first + timedelta(days=31 * i)
        past = pulse_open(organization=org, now=then)
        for membership in teams["marketing"] + teams["sales"]:
            pulse_answer(pulse=past, membership=membership, scores=GOOD, comment=f"#{i}",
                         now=then + timedelta(hours=1))  # fmt: skip


def test_the_pulse_reads_in_as_many_queries_for_one_pulse_as_for_twelve(org, other_org, member):
    few, many = two_teams(member), two_teams(member, other_org)
    months_of_pulses(org, few, 1)
    months_of_pulses(other_org, many, 12)

    counts = []
    for membership in (few["leadership"], many["leadership"]):
        api, client = token_client(membership), signed_in_client(membership)
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get("/api/v1/pulse/").json()["trend"]) in (1, 12)
            assert client.get("/reviews/pulse/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[1] <= 24  # API and page together, sign-in and session included
