"""Compliance, for both sides: every hand-off judged by one statement, checked against the
pure clock computed lead by lead (an independent computation) on the demo history; the
scorecards against figures added up here; breaches found once and only once, resolved,
told to their owner and later to their manager; deletes reach it; the API's roles, bad
input and tenants."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Activity, Lead, LeadStageChange
from crm.selectors import funnel_stage_codes
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from kpis.recompute import kpis_recompute_full
from orgs.demo import seed_demo_organizations
from orgs.models import Organization, Role
from personas.models import LeadFit
from sla.calendar import business_seconds
from sla.clock import Terms, lead_clock
from sla.models import Breach, ComplianceMark, Decision, Handoff, Scorecard, Side
from sla.selectors import calendar_of, signed_versions, version_at
from sla.services import (
    agreement_amend,
    agreement_create,
    agreement_sign,
    breaches_escalate,
    calendar_update,
    compliance_recompute,
    compliance_run,
    lead_reject,
)
from tests.conftest import token_client
from tests.workers import real_worker, shared_redis_cache

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
TOUCHES = {Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING}


def rome(text):
    return datetime.fromisoformat(text).replace(tzinfo=ROME)


@pytest.fixture
def agreement(org, member):
    """Rome's Monday-to-Friday 09:00 to 18:00 calendar and 2026's agreement in force: 40 MQLs
    a month (10 % tolerance), a first touch within 4 business hours, 2 attempts within 2
    business days, a decision within 3."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    made = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1), terms={
        "mqls_per_month": 40, "first_touch_hours": "4", "attempts": 2, "attempts_days": 2,
        "decision_days": 3})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    return made


def handed_over(org, at, owner=None, name="Ann"):
    lead = lead_create(organization=org, by=None, name=name, stage="lead", owner=owner,
                       created_at=at - timedelta(hours=1))  # fmt: skip
    lead_change_stage(lead=lead, to_stage="mql", by=None, at=at)
    return Lead.objects.get(pk=lead.pk)


def touch(org, lead, at, kind="call"):
    record_create(Activity, organization=org, lead=lead, kind=kind, at=at)


# --- The statement against the clock, lead by lead, on the demo history ------------------


def _independent(organization, now):
    """Each hand-off as the pure clock judges it, from the ORM's rows, one lead at a time."""
    calendar = calendar_of(organization)
    working = calendar.working_time(2020, now.year + 2)
    versions = signed_versions(organization)
    stages = funnel_stage_codes(organization)
    onwards = stages[stages.index("mql") + 1 :]
    judged = {}
    changes = LeadStageChange.objects.filter(organization=organization).order_by("at", "pk")
    by_lead: dict[int, list] = {}
    for change in changes:
        by_lead.setdefault(change.lead_id, []).append(change)
    for lead_id, history in by_lead.items():
        handoffs = [c.at for c in history if c.to_stage == "mql"]
        for i, at in enumerate(handoffs):
            version = version_at(versions, at, working.zone)
            if version is None:
                continue
            following = handoffs[i + 1] if i + 1 < len(handoffs) else None
            touches = sorted(
                a.at for a in Activity.objects.filter(lead_id=lead_id, kind__in=TOUCHES)
                if a.at >= at and (following is None or a.at < following)
            )  # fmt: skip
            recorded = Decision.objects.filter(lead_id=lead_id, handoff_at=at).first()
            moved = next((c for c in history if c.at > at and c.to_stage != "mql"
                          and (following is None or c.at <= following)), None)  # fmt: skip
            if recorded:
                decision = (recorded.outcome, recorded.at, recorded.reason)
            elif moved:
                decision = ("accepted" if moved.to_stage in onwards else "rejected", moved.at, "")
            else:
                decision = None
            terms = Terms(version.first_touch_hours, version.attempts, version.attempts_days,
                          version.decision_days)  # fmt: skip
            clock = lead_clock(handoff_at=at, touches=touches, decision=decision, terms=terms,
                               calendar=working, now=now)  # fmt: skip
            judged[(lead_id, at)] = (clock, touches, working)
    return judged


# In one range of leads, in the default two side by side, and in more ranges than there
# are parallel workers (some run one after another).
@pytest.mark.parametrize("branches", [1, 2, 5])
def test_every_hand_off_of_the_demo_is_judged_as_the_clock_judges_it_lead_by_lead(
    branches, settings
):
    settings.SLA_JUDGE_BRANCHES = branches
    seed_demo_organizations()
    demo = Organization.objects.get(slug="demo")
    now = timezone.now()

    done = compliance_recompute(organization_id=demo.pk, now=now)

    expected = _independent(demo, now)
    stored = {(h.lead_id, h.handoff_at): h for h in Handoff.objects.filter(organization=demo)}
    assert done.handoffs == len(stored) == len(expected) > 300
    _assert_judged_as_by_the_clock(stored, expected)
    # A realistic mix: most kept, some broken, of every kind.
    rows = list(stored.values())
    assert 0.05 < sum(r.late_touch for r in rows) / len(rows) < 0.3
    assert 0.05 < sum(r.late_decision for r in rows) / len(rows) < 0.4
    assert Breach.objects.filter(organization=demo, kind=Breach.Kind.ATTEMPTS).exists()


@pytest.mark.parametrize("branches", [1, 3])
def test_a_lead_handed_over_again_and_again_is_judged_hand_off_by_hand_off(
    org, member, agreement, settings, branches
):
    """Each hand-off's touches, attempts and decision are bounded by the lead's next one,
    whichever range of leads (branch) the lead falls in."""
    settings.SLA_JUDGE_BRANCHES = branches
    at = rome("2026-03-02 10:00")
    bouncing = handed_over(org, at, name="Bouncing")
    for n in range(1, 6):
        handed_over(org, at + timedelta(minutes=n), name=f"Other {n}")
    moves = ["sql", "mql", "recycled", "mql", "disqualified", "mql", "sql", "mql"]
    for n, stage in enumerate(moves, start=1):
        when = at + timedelta(hours=7 * n)
        touch(org, bouncing, when - timedelta(hours=3))
        touch(org, bouncing, when - timedelta(hours=2), kind="email")
        lead_change_stage(lead=bouncing, to_stage=stage, by=None, at=when)
    now = at + timedelta(days=40)

    done = compliance_recompute(organization_id=org.pk, now=now)

    expected = _independent(org, now)
    stored = {(h.lead_id, h.handoff_at): h for h in Handoff.objects.filter(organization=org)}
    assert done.handoffs == len(stored) == len(expected) == 5 + 5
    assert sum(lead == bouncing.pk for lead, _at in stored) == 5
    _assert_judged_as_by_the_clock(stored, expected)
    decisions = [stored[key].decision for key in sorted(stored) if key[0] == bouncing.pk]
    assert decisions == ["accepted", "rejected", "rejected", "accepted", ""]


def _assert_judged_as_by_the_clock(stored, expected):
    for key, (clock, touches, working) in expected.items():
        row = stored[key]
        assert row.first_touch_at == clock.first_touch_at
        if touches:
            assert row.response_seconds == business_seconds(key[1], touches[0], working)
        else:
            assert row.response_seconds is None
        assert row.attempts == clock.attempts, key
        assert (row.decision or None, row.decision_at) == (clock.decision, clock.decision_at)
        kinds = {b.kind for b in clock.breaches}
        assert (row.late_touch, row.few_attempts, row.late_decision) == (
            "first_touch" in kinds, "attempts" in kinds, "decision" in kinds), key  # fmt: skip
        for breach in clock.breaches:
            due = {"first_touch": row.touch_due, "attempts": row.attempts_due,
                   "decision": row.decision_due}[breach.kind]  # fmt: skip
            assert abs((due - breach.due).total_seconds()) < 0.01


def test_the_judgements_branches_run_side_by_side_each_whole_in_one_process(
    org, agreement, monkeypatch
):
    """The plan PostgreSQL makes of the judgement: one Parallel Append of the branches, each
    run whole by one process, with no scan split among workers and no hash anywhere."""
    from sla.services import compliance

    plans = []
    real = compliance._with_settings

    def explained(cursor, settings, sql, params):
        if "CREATE TEMP TABLE sla_judged" in sql:
            for name, value in settings.items():
                cursor.execute(f"SET LOCAL {name} = '{value}'")
            cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
            plans.append([row[0].strip() for row in cursor.fetchall()])
        return real(cursor, settings, sql, params)

    monkeypatch.setattr(compliance, "_with_settings", explained)
    for n in range(4):
        handed_over(org, rome("2026-03-02 09:00") + timedelta(hours=n), name=f"Lead {n}")

    done = compliance_recompute(organization_id=org.pk, now=timezone.now())

    assert done.handoffs == 4
    [plan] = plans
    assert plan[:3] == ["Gather", "Workers Planned: 2", "->  Parallel Append"]
    assert sum(line.startswith("->  Merge Full Join") for line in plan) == 2  # the branches
    assert not [line for line in plan[3:] if "Gather" in line or "Parallel" in line]
    assert not [line for line in plan if "Hash" in line]


def _percentile(values, fraction):
    """PostgreSQL's percentile_disc: the first value whose cumulative share reaches it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def test_the_demos_scorecards_add_up_the_hand_offs():
    seed_demo_organizations()
    demo = Organization.objects.get(slug="demo")
    compliance_recompute(organization_id=demo.pk, now=timezone.now())
    rows = list(Handoff.objects.filter(organization=demo))

    months = {r.month for r in rows}
    for month in [None, *sorted(months)]:
        mine = [r for r in rows if month is None or r.month == month]
        card = Scorecard.objects.get(organization=demo, month=month, by_channel=False)
        responses = [r.response_seconds for r in mine if r.response_seconds is not None]
        assert card.handoffs == len(mine)
        assert card.accepted == sum(r.decision == "accepted" for r in mine)
        assert card.rejected == sum(r.decision == "rejected" for r in mine)
        assert card.touched == len(responses)
        assert card.within_window == sum(
            r.first_touch_at is not None and not r.late_touch for r in mine
        )
        assert card.response_p50 == _percentile(responses, 0.5)
        assert card.response_p90 == _percentile(responses, 0.9)
        fitting = set(
            LeadFit.objects.filter(organization=demo, fits=True).values_list("lead_id", flat=True)
        )
        assert card.fits == sum(r.lead_id in fitting for r in mine)
        assert card.fits > 0 or month is not None  # the demo's leads fit its persona
        channels = Scorecard.objects.filter(organization=demo, month=month, by_channel=True)
        assert sum(c.handoffs for c in channels) == len(mine)


# --- Breaches: once, resolved, told --------------------------------------------------------


def test_a_lead_not_touched_in_time_is_one_breach_however_often_it_is_judged(
    org, member, agreement
):
    rep = member(Role.SALES_REP)
    lead = handed_over(org, rome("2026-03-13 17:30"), owner=rep.user)  # a Friday evening
    monday_noon = rome("2026-03-16 12:00")

    compliance_recompute(organization_id=org.pk, now=rome("2026-03-16 12:29"))
    # Due at 12:30 (0.5 h on Friday, 3.5 h on Monday).
    assert not Breach.objects.filter(side="sales").exists()
    compliance_recompute(organization_id=org.pk, now=rome("2026-03-16 12:31"))
    compliance_recompute(organization_id=org.pk, now=rome("2026-03-16 13:00"))

    (breach,) = Breach.objects.filter(kind=Breach.Kind.FIRST_TOUCH)
    assert (breach.lead_id, breach.owner_id, breach.side) == (lead.pk, rep.user_id, "sales")
    assert breach.due == rome("2026-03-16 12:30")
    assert breach.resolved_at is None

    touch(org, lead, monday_noon + timedelta(hours=2))
    compliance_recompute(organization_id=org.pk, now=rome("2026-03-16 15:00"))

    breach.refresh_from_db()
    assert breach.resolved_at is not None  # touched after all (late: still a breach)
    assert Breach.objects.filter(kind=Breach.Kind.FIRST_TOUCH).count() == 1
    row = Handoff.objects.get(lead=lead)
    assert row.late_touch
    assert row.response_seconds == int(5.5 * 3600)


def test_a_breach_is_told_to_its_owner_once_and_later_to_the_sales_managers(
    org, member, agreement, django_capture_on_commit_callbacks, settings, monkeypatch
):
    monkeypatch.setattr("sla.services.breaches.NEWS_DAYS", 30)  # 6 days ago is news here
    rep = member(Role.SALES_REP)
    rep.user.email = "rep@example.com"
    rep.user.save()
    manager = member(Role.SALES_MANAGER)
    manager.user.email = "boss@example.com"
    manager.user.save()
    at = timezone.now() - timedelta(days=6)
    handed_over(org, at, owner=rep.user)

    with django_capture_on_commit_callbacks(execute=True):
        compliance_recompute(organization_id=org.pk, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        compliance_recompute(organization_id=org.pk, now=timezone.now())

    # One e-mail to the rep with all their lead's breaches (the marketing managers get
    # theirs for the months without MQLs).
    (told,) = [m for m in mail.outbox if m.to == ["rep@example.com"]]
    assert "Ann" in told.body
    assert "Not touched in time" in told.body
    assert set(Breach.objects.filter(side="sales").values_list("kind", flat=True)) == {
        "first_touch", "attempts", "decision"}  # fmt: skip

    sent = len(mail.outbox)
    assert breaches_escalate(now=timezone.now()) == 0  # not yet
    later = timezone.now() + timedelta(hours=settings.SLA_ESCALATE_HOURS, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert breaches_escalate(now=later) >= 1
        assert breaches_escalate(now=later) == 0
    escalated = {m.to[0]: m for m in mail.outbox[sent:]}
    assert len(escalated) == len(mail.outbox[sent:])  # one e-mail a manager
    assert "rep@example.com" not in escalated  # to the managers only
    assert "Still open 24 hours after its owner was told" in escalated["boss@example.com"].body


def test_an_old_history_judged_the_first_time_is_recorded_without_a_flood_of_mail(
    org, member, agreement, django_capture_on_commit_callbacks
):
    rep = member(Role.SALES_REP)
    rep.user.email = "rep@example.com"
    rep.user.save()
    for day in range(5):
        handed_over(org, rome("2026-02-02 10:00") + timedelta(days=day), owner=rep.user)

    with django_capture_on_commit_callbacks(execute=True):
        compliance_recompute(organization_id=org.pk, now=rome("2026-06-01 10:00"))

    assert Breach.objects.filter(side="sales").count() == 15
    assert mail.outbox == []
    assert not Breach.objects.filter(notified_at__isnull=True).exists()  # nor escalated later
    assert breaches_escalate(now=rome("2026-06-10 10:00")) == 0


def test_a_month_behind_the_commitment_is_marketings_breach_once_it_ends(org, member, agreement):
    for day in range(30):  # 30 MQLs in March, 36 at least agreed (40 less 10 %)
        handed_over(org, rome("2026-03-02 10:00") + timedelta(days=day), name=f"Lead {day}")

    compliance_recompute(organization_id=org.pk, now=rome("2026-03-31 23:00"))
    assert not Breach.objects.filter(side="marketing", month=date(2026, 3, 1)).exists()
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-01 00:30"))
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-02 09:00"))

    (breach,) = Breach.objects.filter(side="marketing", month=date(2026, 3, 1))
    assert (breach.kind, breach.delivered, breach.expected) == ("volume", 30, 36)
    assert breach.due == rome("2026-04-01 00:00")
    # January and February had none at all: each its breach, once.
    assert Breach.objects.filter(side="marketing").count() == 3


def test_a_month_caught_up_after_it_ended_has_its_breach_resolved(org, member, agreement):
    """MQLs dated into March after it ended (a late import): March is no longer behind, and
    its breach is closed, not left open beside a month that met the commitment."""
    for day in range(30):
        handed_over(org, rome("2026-03-02 10:00") + timedelta(days=day), name=f"Lead {day}")
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-02 09:00"))
    (breach,) = Breach.objects.filter(side="marketing", month=date(2026, 3, 1))
    assert breach.resolved_at is None

    for day in range(6):  # 36: the least agreed
        handed_over(org, rome("2026-03-20 11:00") + timedelta(hours=day), name=f"Late {day}")
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-03 09:00"))

    breach.refresh_from_db()
    assert breach.resolved_at == rome("2026-04-03 09:00")
    assert Breach.objects.filter(side="marketing", month=date(2026, 3, 1)).count() == 1
    # January and February are still behind: still open.
    assert Breach.objects.filter(side="marketing", resolved_at__isnull=True).count() == 2


def test_a_hand_off_is_judged_by_the_version_in_force_at_it(org, member, agreement):
    before = handed_over(org, rome("2026-03-02 09:00"), name="Before")
    amended = agreement_amend(agreement=agreement, by=None, reason="Faster follow-up",
                              terms={"first_touch_hours": "1"})  # fmt: skip
    agreement_sign(agreement=agreement, membership=member(Role.MARKETING_MANAGER), side="marketing")
    agreement_sign(agreement=agreement, membership=member(Role.SALES_MANAGER), side="sales")
    amended.refresh_from_db()
    after = handed_over(org, max(amended.in_force_at, rome("2026-03-02 09:00")) + timedelta(days=1),
                        name="After")  # fmt: skip

    compliance_recompute(organization_id=org.pk, now=timezone.now())

    rows = {h.lead_id: h for h in Handoff.objects.all()}
    assert rows[before.pk].version_id != amended.pk
    assert rows[before.pk].touch_due == rome("2026-03-02 13:00")
    assert rows[after.pk].version_id == amended.pk


def test_a_rejection_in_the_queue_is_the_decision_with_its_reason(org, member, agreement):
    lead = handed_over(org, rome("2026-03-02 09:00"))
    lead_reject(lead=lead, membership=member(Role.SALES_REP), reason="no_budget")

    compliance_recompute(organization_id=org.pk, now=timezone.now())

    row = Handoff.objects.get(lead=lead)
    assert (row.decision, row.reason) == ("rejected", "no_budget")
    assert Scorecard.objects.get(month=date(2026, 3, 1), by_channel=False).rejected == 1


def test_deleting_a_lead_takes_its_hand_offs_and_breaches_and_the_scorecard_follows(
    org, member, agreement, django_capture_on_commit_callbacks
):
    keep = handed_over(org, rome("2026-03-02 09:00"), name="Keep")
    gone = handed_over(org, rome("2026-03-03 09:00"), name="Gone")
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-01 09:00"))
    assert Breach.objects.filter(lead=gone).exists()

    with django_capture_on_commit_callbacks(execute=True):
        api = token_client(member(Role.ADMIN))
        assert api.delete(f"/api/v1/leads/{gone.pk}/").status_code == 204
    compliance_run(organization_id=org.pk, now=rome("2026-04-01 09:05"))

    assert list(Handoff.objects.values_list("lead_id", flat=True)) == [keep.pk]
    assert not Breach.objects.filter(lead_id=gone.pk).exists()
    assert Scorecard.objects.get(month=None, by_channel=False).handoffs == 1
    assert not ComplianceMark.objects.exists()


def test_a_touch_logged_reaches_the_hand_off_through_the_kpis_recompute(
    org, member, agreement, django_capture_on_commit_callbacks
):
    lead = handed_over(org, rome("2026-03-02 09:00"))
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    assert Handoff.objects.get(lead=lead).response_seconds is None

    with django_capture_on_commit_callbacks(execute=True):
        touch(org, lead, rome("2026-03-02 10:00"))  # the KPI recompute announces March

    assert Handoff.objects.get(lead=lead).response_seconds == 3600
    assert not ComplianceMark.objects.exists()  # the run cleared its mark


def test_a_mark_only_moves_back_and_a_run_keeps_a_mark_made_meanwhile(org, agreement):
    from sla.services import compliance_mark

    ComplianceMark.objects.all().delete()  # the signatures' (everything)
    compliance_mark(organization_id=org.pk, since=datetime(2026, 5, 1, tzinfo=UTC))
    compliance_mark(organization_id=org.pk, since=datetime(2026, 3, 1, tzinfo=UTC))
    compliance_mark(organization_id=org.pk, since=datetime(2026, 4, 1, tzinfo=UTC))
    mark = ComplianceMark.objects.get(organization=org)
    assert mark.since == datetime(2026, 3, 1, tzinfo=UTC)

    ComplianceMark.objects.filter(pk=mark.pk).update(marked_at=mark.marked_at)  # as read
    compliance_run(organization_id=org.pk, now=timezone.now())
    assert not ComplianceMark.objects.exists()


# --- The API --------------------------------------------------------------------------------


def test_the_compliance_of_a_month_for_both_sides(org, member, agreement):
    rep = member(Role.SALES_REP)
    fast = handed_over(org, rome("2026-03-02 09:00"), owner=rep.user, name="Fast")
    touch(org, fast, rome("2026-03-02 10:30"))
    handed_over(org, rome("2026-03-03 09:00"), owner=rep.user, name="Never")
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-15 09:00"))

    body = token_client(member(Role.LEADERSHIP)).get("/api/v1/sla/compliance/?month=2026-03").json()

    assert body["month"] == "2026-03"
    assert body["currency"] == org.currency
    assert body["marketing"]["committed"] == 40
    assert body["marketing"]["delivered"] == 2
    assert body["sales"]["response_p50_hours"] == "1.5"
    assert body["sales"]["within_window_share"] == "0.5"  # one of two touched in time
    assert body["sales"]["untouched_overdue"] == 1
    assert body["sales"]["breaches"]["first_touch"] == 1
    assert "38 MQLs" in body["owes"]["marketing"]
    assert body["shortfall"]["volume"]["mqls"] == "38"


def test_a_full_date_reads_the_compliance_of_its_month(org, member, agreement):
    handed_over(org, rome("2026-03-02 09:00"), name="Ann")
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-15 09:00"))
    api = token_client(member(Role.LEADERSHIP))

    by_day = api.get("/api/v1/sla/compliance/?month=2026-03-15").json()

    assert by_day["month"] == "2026-03"
    assert by_day["marketing"]["delivered"] == 1
    assert by_day == api.get("/api/v1/sla/compliance/?month=2026-03").json()


@pytest.mark.parametrize(
    "query", ["month=2026-13", "month=soon", "month=0001-01", "month=%00", "month=２０２６-０３"]
)
def test_a_bad_month_is_refused_in_the_one_error_shape(org, member, agreement, query):
    answer = token_client(member(Role.SALES_REP)).get(f"/api/v1/sla/compliance/?{query}")

    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == 400


def test_without_a_signed_agreement_there_is_no_compliance(org, member):
    answer = token_client(member(Role.SALES_REP)).get("/api/v1/sla/compliance/")

    assert answer.status_code == 404
    assert "agreement" in answer.json()["error"]["message"]


def test_breaches_are_filtered_by_side_and_stay_in_their_organisation(
    org, member, agreement, other_org
):
    handed_over(org, rome("2026-03-02 09:00"))
    compliance_recompute(organization_id=org.pk, now=rome("2026-05-01 09:00"))
    mine = token_client(member(Role.SALES_REP))
    theirs = token_client(member(Role.ADMIN, organization=other_org))

    sales = mine.get("/api/v1/sla/breaches/?side=sales").json()["results"]
    marketing = mine.get("/api/v1/sla/breaches/?side=marketing&open=true").json()["results"]

    assert {b["kind"] for b in sales} == {"first_touch", "attempts", "decision"}
    assert sales[0]["lead"]["name"] == "Ann"
    assert {b["kind"] for b in marketing} == {"volume"}
    assert {b["month"] for b in marketing} == {"2026-01", "2026-02", "2026-03", "2026-04"}
    assert theirs.get("/api/v1/sla/breaches/").json()["results"] == []
    assert theirs.get("/api/v1/sla/compliance/").status_code == 404
    refused = mine.get("/api/v1/sla/breaches/?side=legal")
    assert refused.status_code == 400
    assert "side" in refused.json()["error"]["fields"]


def test_the_scorecard_is_read_not_computed_in_the_request(
    org, member, agreement, django_assert_max_num_queries
):
    handed_over(org, rome("2026-03-02 09:00"))
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    api = token_client(member(Role.SALES_MANAGER))

    with django_assert_max_num_queries(25):
        assert api.get("/api/v1/sla/compliance/").status_code == 200
    assert Decimal(
        api.get("/api/v1/sla/compliance/").json()["marketing"]["acceptance_bar"]
    ) == Decimal("0.7")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_keeps_compliance_fresh_after_a_call_logged_through_the_api(member, settings):
    prefix = shared_redis_cache(settings)
    manager = member(Role.SALES_MANAGER)
    org = manager.organization
    calendar_update(organization=org, time_zone="UTC", working_days=[1, 2, 3, 4, 5, 6, 7],
                    day_start=time(0), day_end=time(23, 59))  # fmt: skip
    handoff_at = timezone.now() - timedelta(minutes=30)
    this_month = handoff_at.date().replace(
        day=1
    )  # the hand-off's: the last, in a month's first half hour
    made = agreement_create(organization=org, by=None, first_month=this_month,
                            terms={"mqls_per_month": 10})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=manager, side=Side.SALES)
    lead = handed_over(org, handoff_at)
    compliance_recompute(organization_id=org.pk, now=timezone.now())
    api = token_client(manager)
    month = f"/api/v1/sla/compliance/?month={this_month:%Y-%m}"
    assert api.get(month).json()["sales"]["touched"] == 0

    with real_worker(cache_prefix=prefix) as worker:
        logged = api.post("/api/v1/activities/", {"lead": lead.pk, "kind": "call"}, format="json")
        assert logged.status_code == 201, logged.json()
        seen = worker.wait_until(lambda: api.get(month).json()["sales"]["touched"] == 1, 30)

    assert seen, worker.output
    assert Handoff.objects.get(lead=lead).response_seconds is not None


def test_the_agreements_window_is_shown_beside_the_organisations_own(
    org, member, agreement, client_as
):
    settings_page = client_as(Role.ADMIN).get(reverse("organization-settings"))
    dictionary = client_as(Role.SALES_REP).get(reverse("metric-dictionary"))

    for page in (settings_page, dictionary):
        text = page.content.decode()
        assert 'data-testid="sla-window"' in text
        assert "within 4 business hours" in text
        assert "counts calendar hours" in text


def test_each_new_breach_is_announced_once_to_its_owner_and_the_teams_managers(
    org, member, agreement, monkeypatch
):
    """The e-mails themselves are the reviews app's (tests/reviews): here, who hears of
    what, once, and a lost run taken up by the sweep."""
    from orgs.selectors import members_of as org_members
    from reviews.models import Event, Notification
    from sla.services import breaches_notify, breaches_sweep

    rep, other = member(Role.SALES_REP), member(Role.SALES_REP)
    manager, marketing = member(Role.SALES_MANAGER), member(Role.MARKETING_MANAGER)
    now = timezone.now()
    handed_over(org, now - timedelta(days=6), owner=rep.user, name="Ann")
    handed_over(org, now - timedelta(days=6), owner=other.user, name="Bob")
    compliance_recompute(organization_id=org.pk, now=now)
    monkeypatch.setattr("sla.services.breaches.NEWS_DAYS", 30)
    ids = list(Breach.objects.filter(side="sales").values_list("pk", flat=True))
    assert len(ids) == 6

    assert breaches_notify(organization_id=org.pk, breach_ids=ids[:4], now=now) == 4
    assert breaches_notify(organization_id=org.pk, breach_ids=ids[:4], now=now) == 0
    # The others (and marketing's last month), as if their task was lost: the sweep tells
    # those that are news; older months are marked without a word.
    news = Breach.objects.filter(due__gte=now - timedelta(days=30)).exclude(pk__in=ids[:4])
    assert breaches_sweep(now=now + timedelta(minutes=10)) == news.count() == 3
    assert breaches_sweep(now=now + timedelta(minutes=20)) == 0

    events = Event.objects.filter(organization=org, kind="sla.breach")
    assert {e.data["breach_id"] for e in events} >= set(ids)
    assert events.count() == len(ids) + 1
    ann = Breach.objects.filter(owner=rep.user).values_list("pk", flat=True)
    sales_managers = set(
        org_members(org).filter(role=Role.SALES_MANAGER).values_list("user_id", flat=True)
    )
    assert manager.user_id in sales_managers
    for breach_id in ann:
        told = Notification.objects.filter(event__data__breach_id=breach_id)
        assert set(told.values_list("user_id", flat=True)) == {rep.user_id, *sales_managers}
    heard = Notification.objects.filter(user=marketing.user).values_list("event__data", flat=True)
    assert {data["breach_kind"] for data in heard} == {"volume"}
    assert not Breach.objects.filter(notified_at__isnull=True).exists()


# --- What the review found -------------------------------------------------------------------


def _run_marks(now):
    for mark in ComplianceMark.objects.all():
        compliance_run(organization_id=mark.organization_id, now=now)


def test_two_leads_handed_over_together_then_merged_are_one_hand_off(org, member, agreement):
    from crm.services.leads import leads_hand_off
    from crm.services.merge import leads_merge

    made = timezone.now() - timedelta(days=1)
    a = lead_create(organization=org, by=None, name="Ann", stage="lead", created_at=made)
    b = lead_create(organization=org, by=None, name="Ann Dup", stage="lead", created_at=made)
    leads_hand_off(organization_id=org.pk, moves=[(a.pk, "x"), (b.pk, "x")], source="persona",
                   since=timezone.now() - timedelta(days=30))  # fmt: skip
    leads_merge(survivor=Lead.objects.get(pk=a.pk), duplicate=Lead.objects.get(pk=b.pk), by=None)

    compliance_recompute(organization_id=org.pk, now=timezone.now())
    compliance_recompute(organization_id=org.pk, now=timezone.now())

    assert Handoff.objects.filter(lead_id=a.pk).count() == 1


def test_a_lead_decided_early_keeps_the_attempts_share_and_owes_no_touch(org, member, agreement):
    monday = rome("2026-03-02 10:00")
    lead = handed_over(org, monday)
    lead_change_stage(lead=lead, to_stage="recycled", by=None, at=monday + timedelta(hours=1))

    compliance_recompute(organization_id=org.pk, now=monday + timedelta(days=10))

    card = Scorecard.objects.get(month=date(2026, 3, 1), by_channel=False)
    assert (card.attempts_met, card.attempts_due) == (1, 1)
    assert not Breach.objects.filter(side="sales").exists()


def test_a_lead_handed_over_again_is_one_mql_delivered(org, member, agreement):
    at = rome("2026-03-02 10:00")
    lead = handed_over(org, at)
    for hours, stage in ((1, "recycled"), (2, "mql"), (3, "recycled"), (4, "mql")):
        lead_change_stage(lead=lead, to_stage=stage, by=None, at=at + timedelta(hours=hours))

    compliance_recompute(organization_id=org.pk, now=at + timedelta(hours=5))

    card = Scorecard.objects.get(month=date(2026, 3, 1), by_channel=False)
    assert (card.handoffs, card.leads) == (3, 1)
    body = token_client(member(Role.SALES_REP)).get("/api/v1/sla/compliance/?month=2026-03")
    assert body.json()["marketing"]["delivered"] == 1


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Rome"])
def test_a_month_without_mqls_is_a_breach_in_any_time_zone(org, member, zone):
    calendar_update(organization=org, time_zone=zone, working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    made = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1),
                            terms={"mqls_per_month": 40})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    _run_marks(datetime(2026, 1, 10, tzinfo=UTC))
    assert not Breach.objects.exists()

    for now in (datetime(2026, 2, 1, 0, 30, tzinfo=UTC), datetime(2026, 2, 1, 6, tzinfo=UTC),
                datetime(2026, 2, 2, 6, tzinfo=UTC)):  # fmt: skip
        from sla.services import compliance_sweep

        compliance_sweep(now=now)
        _run_marks(now + timedelta(seconds=30))

    (breach,) = Breach.objects.filter(kind="volume")
    assert (breach.month, breach.delivered) == (date(2026, 1, 1), 0)


def test_a_hand_off_whose_time_is_gone_leaves_no_breach_open(org, member, agreement):
    lead = handed_over(org, rome("2026-03-02 10:00"))
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-01 10:00"))
    assert Breach.objects.filter(lead=lead, resolved_at__isnull=True).count() == 3

    LeadStageChange.objects.filter(lead=lead, to_stage="mql").update(at=rome("2026-03-03 10:00"))
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-01 11:00"))

    old = Breach.objects.filter(lead=lead, handoff_at=rome("2026-03-02 10:00"))
    assert not old.filter(resolved_at__isnull=True).exists()
    assert Breach.objects.filter(lead=lead, handoff_at=rome("2026-03-03 10:00")).count() == 3


# A sales decision (a move out of the hand-off stage) in a later month than its hand-off,
# after the hand-off's deadlines passed: the KPI facts of the hand-off's month do not change
# (the lead's conversion from there is one count added, or none: crm.ChangedConversion), but
# the month is announced and its hand-offs judged again.


def past_its_deadlines(org, when):
    """A lead handed over at `when` and judged after its decision deadline (undecided, late,
    no clock left running), its KPI facts recomputed and its compliance marks (the
    signatures', everything) done with, as a worker would have left them."""
    lead = handed_over(org, when)
    compliance_recompute(organization_id=org.pk, now=rome("2026-04-09 09:00"))
    kpis_recompute_full(organization_id=org.pk)
    ComplianceMark.objects.all().delete()
    return lead


@pytest.mark.parametrize("to_stage", ["sql", "disqualified"])
def test_a_late_decision_in_the_next_month_reaches_the_hand_off(
    org,
    member,
    agreement,
    django_capture_on_commit_callbacks,
    to_stage,
):
    lead = past_its_deadlines(org, rome("2026-03-27 09:00"))
    row = Handoff.objects.get(lead=lead)
    assert row.decision == ""
    assert row.late_decision

    with django_capture_on_commit_callbacks(execute=True):
        lead_change_stage(lead=lead, to_stage=to_stage, by=None, at=rome("2026-04-10 09:00"))

    row = Handoff.objects.get(lead=lead)
    expected = "accepted" if to_stage == "sql" else "rejected"
    assert (row.decision, row.decision_at) == (expected, rome("2026-04-10 09:00"))


def test_a_rejection_from_the_queue_the_next_month_reaches_the_hand_off(
    org,
    member,
    agreement,
    django_capture_on_commit_callbacks,
):
    lead = past_its_deadlines(org, rome("2026-03-30 09:00"))

    with django_capture_on_commit_callbacks(execute=True):
        lead_reject(lead=lead, membership=member(Role.SALES_REP), reason="no_budget")

    row = Handoff.objects.get(lead=lead)
    assert (row.decision, row.reason) == ("rejected", "no_budget")
