"""Every MQL, accepted or rejected: the hand-off starts the clock, the first call, e-mail or
meeting is the first touch (a note is not), sales accepts (the next stage) or rejects with a
reason (back to marketing), once; GET .../sla/ says where the clock stands. Roles, bad input
and tenants."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.models import Activity, Lead, LeadStageChange
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from orgs.models import Role
from sla.models import Agreement, AgreementVersion, BusinessCalendar, Decision, Side
from sla.selectors import version_at
from sla.services import agreement_create, agreement_sign, calendar_update
from tests.conftest import signed_in_client, token_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


ROME = ZoneInfo("Europe/Rome")
FRIDAY_EVENING = datetime(2026, 3, 13, 17, 30, tzinfo=ROME)


def rome(text):
    return datetime.fromisoformat(text).replace(tzinfo=ROME)


@pytest.fixture
def agreement(org, member):
    """Rome's Monday-to-Friday 09:00 to 18:00 calendar and the agreement in force for 2026:
    first touch within 4 business hours."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    made = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1),
                            terms={"mqls_per_month": 50, "first_touch_hours": "4"})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    return made


def handed_over(org, at=FRIDAY_EVENING):
    lead = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=at - timedelta(hours=1)
    )
    lead_change_stage(lead=lead, to_stage="mql", by=None, at=at)
    return Lead.objects.get(pk=lead.pk), at


def test_the_clock_of_a_lead_touched_in_time(org, member, agreement):
    lead, at = handed_over(org)
    record_create(Activity, organization=org, lead=lead, kind="note", at=rome("2026-03-13 17:40"))
    record_create(Activity, organization=org, lead=lead, kind="call", at=rome("2026-03-16 09:45"))

    body = token_client(member(Role.SALES_REP)).get(f"/api/v1/leads/{lead.pk}/sla/").json()

    assert datetime.fromisoformat(body["handoff_at"]) == at
    assert datetime.fromisoformat(body["first_touch_at"]) == rome(
        "2026-03-16 09:45"
    )  # not the note
    assert body["response_business_hours"] == "1.25"  # Friday 17:30 to 18:00, Monday 09:00 to 09:45
    assert body["within_window"] is True
    assert body["attempts"] == 1
    assert body["decision"] is None
    # Long ago now: too few attempts within five business days, and no decision in time.
    assert [b["kind"] for b in body["breaches"]] == ["attempts", "decision"]


def test_a_lead_never_touched_past_its_window_is_a_breach(org, member, agreement):
    lead, _at = handed_over(org)

    body = token_client(member(Role.SALES_REP)).get(f"/api/v1/leads/{lead.pk}/sla/").json()

    assert body["response_business_hours"] is None
    assert body["within_window"] is False
    assert body["breaches"][0]["kind"] == "first_touch"
    assert datetime.fromisoformat(body["breaches"][0]["due"]) == rome("2026-03-16 12:30")


def test_a_rep_accepts_an_mql_and_it_moves_to_the_next_stage(org, member, agreement):
    lead, _at = handed_over(org)
    api = token_client(member(Role.SALES_REP))

    answer = api.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json")
    again = api.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["decision"] == "accepted"
    assert Lead.objects.get(pk=lead.pk).stage == "sql"
    change = LeadStageChange.objects.filter(lead=lead).latest("at")
    assert change.source == "sales_decision"
    assert again.status_code == 400  # no longer waiting at the hand-off
    assert "not waiting for sales' decision" in again.json()["error"]["fields"]["lead"][0]
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    ("reason", "stage"), [("no_budget", "recycled"), ("duplicate", "disqualified")]
)
def test_a_rejection_sends_the_lead_back_to_marketing_with_its_reason(
    org, member, agreement, reason, stage
):
    lead, _at = handed_over(org)

    answer = token_client(member(Role.SALES_MANAGER)).post(
        f"/api/v1/leads/{lead.pk}/reject/",
        {"reason": reason, "note": "Called twice"},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["decision"], answer.json()["reason"]) == ("rejected", reason)
    assert Lead.objects.get(pk=lead.pk).stage == stage
    assert Decision.objects.get().note == "Called twice"


def test_a_reason_the_agreement_does_not_allow_is_refused_and_nothing_moves(org, member, agreement):
    version = agreement.versions.get()
    version.rejection_reasons = ["no_budget", "other"]
    version.save()
    lead, _at = handed_over(org)
    api = token_client(member(Role.SALES_REP))

    for body in (
        {"reason": "duplicate"},
        {"reason": "rude"},
        {},
        {"reason": "other", "note": "x" * 1001},
    ):
        answer = api.post(f"/api/v1/leads/{lead.pk}/reject/", body, format="json")
        assert answer.status_code == 400, body

    assert Lead.objects.get(pk=lead.pk).stage == "mql"
    assert not Decision.objects.exists()


@pytest.mark.parametrize("role", [Role.MARKETING_MANAGER, Role.LEADERSHIP])
def test_only_sales_decides_on_mqls(org, member, agreement, role):
    lead, _at = handed_over(org)
    api = token_client(member(role))

    assert api.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json").status_code == 403
    assert (
        api.post(f"/api/v1/leads/{lead.pk}/reject/", {"reason": "other"}, format="json").status_code
        == 403
    )
    assert api.get(f"/api/v1/leads/{lead.pk}/sla/").status_code == 200  # everyone reads the clock
    assert Lead.objects.get(pk=lead.pk).stage == "mql"


def test_another_organisations_lead_is_out_of_reach(org, member, agreement, other_org):
    lead, _at = handed_over(org)
    theirs = token_client(MembershipFactory(organization=other_org, role=Role.SALES_MANAGER))

    assert theirs.get(f"/api/v1/leads/{lead.pk}/sla/").status_code == 404
    assert theirs.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json").status_code == 404
    assert Lead.objects.get(pk=lead.pk).stage == "mql"


def test_without_an_agreement_the_clock_measures_and_any_reason_is_allowed(org, member):
    lead, _at = handed_over(org)
    record_create(Activity, organization=org, lead=lead, kind="email", at=datetime.now(UTC))
    api = token_client(member(Role.SALES_REP))

    clock = api.get(f"/api/v1/leads/{lead.pk}/sla/").json()
    rejected = api.post(
        f"/api/v1/leads/{lead.pk}/reject/", {"reason": "already_customer"}, format="json"
    )

    assert clock["within_window"] is None
    assert clock["breaches"] == []
    assert rejected.status_code == 200
    assert Lead.objects.get(pk=lead.pk).stage == "disqualified"


def test_deleting_a_lead_deletes_its_decisions(org, member, agreement):
    lead, _at = handed_over(org)
    token_client(member(Role.SALES_REP)).post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json")

    assert token_client(member(Role.ADMIN)).delete(f"/api/v1/leads/{lead.pk}/").status_code == 204
    assert not Decision.objects.exists()


def test_a_hand_off_is_judged_by_its_own_day_in_the_organisations_time_zone(org, member):
    """00:30 on 1 June in Rome is 31 May in UTC: June's agreement judges it."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    june = agreement_create(organization=org, by=None, first_month=date(2026, 6, 1),
                            terms={"mqls_per_month": 50, "first_touch_hours": "2"})  # fmt: skip
    agreement_sign(agreement=june, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=june, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    lead, _at = handed_over(org, at=datetime(2026, 6, 1, 0, 30, tzinfo=ROME))

    body = token_client(member(Role.SALES_REP)).get(f"/api/v1/leads/{lead.pk}/sla/").json()

    # Monday 1 June 2026, 09:00 + 2 business hours.
    assert datetime.fromisoformat(body["breaches"][0]["due"]) == datetime(
        2026, 6, 1, 11, 0, tzinfo=ROME
    )


def test_a_hand_off_is_judged_by_the_version_in_force_at_it():
    """Before the first signature: the first version (the period is what both signed for);
    after an amendment came into force: the amendment."""
    period = Agreement(first_month=date(2026, 1, 1), last_month=date(2026, 12, 1))
    v1 = AgreementVersion(agreement=period, number=1, in_force_at=datetime(2026, 3, 1, tzinfo=UTC))
    v2 = AgreementVersion(agreement=period, number=2, in_force_at=datetime(2026, 6, 1, tzinfo=UTC))
    versions = [v1, v2]

    assert version_at(versions, datetime(2026, 1, 10, tzinfo=UTC), ROME) is v1
    assert version_at(versions, datetime(2026, 4, 10, tzinfo=UTC), ROME) is v1
    assert version_at(versions, datetime(2026, 7, 10, tzinfo=UTC), ROME) is v2
    assert version_at(versions, datetime(2027, 1, 10, tzinfo=UTC), ROME) is None
    # 23:30 UTC on 31 December 2025 is already 2026 in Rome.
    assert version_at(versions, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), ROME) is v1
    assert version_at(versions, datetime(2025, 12, 31, 22, 30, tzinfo=UTC), ROME) is None


def test_an_hour_on_mondays_still_gives_each_clock_its_deadline(org, member, agreement):
    """A calendar that is thin but runs the agreement's clocks out (a week used to find
    no deadline for a one-minute day, and the lead's page failed)."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1],
                    day_start=time(9), day_end=time(10))  # fmt: skip
    lead, _at = handed_over(org)
    api = token_client(member(Role.SALES_REP))

    body = api.get(f"/api/v1/leads/{lead.pk}/sla/").json()
    accepted = api.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json")

    first_touch = next(b for b in body["breaches"] if b["kind"] == "first_touch")
    # 4 business hours from a Friday evening: the hour of each of the next four Mondays.
    assert datetime.fromisoformat(first_touch["due"]) == rome("2026-04-06 10:00")
    assert accepted.status_code == 200, accepted.json()
    assert Lead.objects.get(pk=lead.pk).stage == "sql"


def test_a_calendar_saved_before_its_bounds_leaves_the_clock_without_a_deadline(
    org, member, agreement
):
    """A minute on Mondays, stored before the calendar had bounds: 8 business hours (480
    Mondays) do not run out within five years. The lead's clock, the queue and a decision
    still answer, with no deadline."""
    BusinessCalendar.objects.filter(organization=org).update(working_days=[1], day_end=time(9, 1))
    AgreementVersion.objects.filter(organization=org).update(first_touch_hours=8)
    lead, at = handed_over(org)
    api = token_client(member(Role.SALES_REP))

    body = api.get(f"/api/v1/leads/{lead.pk}/sla/").json()
    queue_page = signed_in_client(member(Role.SALES_MANAGER)).get("/sla/queue/")
    accepted = api.post(f"/api/v1/leads/{lead.pk}/accept/", {}, format="json")

    assert datetime.fromisoformat(body["handoff_at"]) == at
    assert (body["within_window"], body["breaches"]) == (None, [])
    assert queue_page.status_code == 200
    assert "Ann" in queue_page.content.decode()
    assert accepted.status_code == 200, accepted.json()
