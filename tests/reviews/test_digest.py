"""The weekly digest: Monday morning in the organisation's time zone, one a member a week,
for their role and in their language, from stored results only; a page previews it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.demo import seed_crm_history
from funnel.selectors import active_plan
from funnel.services import plan_activate, plan_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from reviews.digest import digest_of
from reviews.models import DigestSent, Preferences
from reviews.services.digests import digests_due, digests_send
from reviews.services.drift import drift_recompute
from sla.models import BusinessCalendar
from tests.conftest import signed_in_client
from tests.reviews.drift_history import active_plan as drift_active_plan
from tests.reviews.drift_history import build_history
from tests.reviews.history import drift_row

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 15)
MONDAY_9_ROME = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def history(org):
    BusinessCalendar.objects.create(organization=org, time_zone="Europe/Rome",
                                    working_days=[0, 1, 2, 3, 4])  # fmt: skip
    seed_crm_history(organization=org, today=TODAY)
    kpis_recompute_full(organization_id=org.pk)
    inputs = {
        "revenue_goal": "900000", "average_deal_size": "10000",
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
        "channels": [{"code": "organic_search", "share": "0.5"},
                     {"code": "paid_search", "share": "0.3"}, {"code": "event", "share": "0.2"}],
    }  # fmt: skip
    plan = plan_create(organization=org, by=None, name="FY2026", first_month=date(2026, 1, 1),
                       last_month=date(2026, 12, 1), inputs=inputs)  # fmt: skip
    plan_activate(plan=plan)
    return org


def test_a_reps_digest_in_english_and_leaderships_in_italian(history, teams):
    rep, leadership = teams[Role.SALES_REP], teams[Role.LEADERSHIP]
    Preferences.objects.create(organization=history, user=leadership.user, language="it")

    assert digests_send(organization_id=history.pk, now=MONDAY_9_ROME) == len(teams)

    by_address = {m.to[0]: m for m in mail.outbox}
    mine = by_address[rep.user.email]
    assert mine.subject == "Your week at Acme, from Nov. 16, 2026"
    assert "Active plan: FY2026." in mine.body
    assert "€900,000" in mine.body  # the goal, with its currency
    assert "Your objectives" in mine.body
    assert "breaches of the agreement are open for you" in mine.body or (
        "No breach of the agreement is open for you." in mine.body
    )
    ((html, kind),) = mine.alternatives
    assert kind == "text/html"
    assert "<strong>FY2026</strong>" in html
    assert 'href="http://127.0.0.1:8000/organizations/acme/go/?next=%2Fnotifications%2F"' in html

    theirs = by_address[leadership.user.email]
    assert theirs.subject.startswith("La tua settimana in Acme")
    assert "900.000" in theirs.body  # Italian numbers
    assert "open for you" not in theirs.body  # leadership answers for no breach
    assert "Obiettivi" in theirs.body


def test_monday_morning_in_the_organisations_zone_once_a_week(history, teams, monkeypatch):
    rep = teams[Role.SALES_REP]
    Preferences.objects.create(organization=history, user=rep.user, weekly_digest=False)
    sunday_night = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # 00:30 on Monday in Rome
    assert digests_due(now=sunday_night) == 0
    assert digests_due(now=MONDAY_9_ROME) == 1  # eager here: the task ran
    assert len(mail.outbox) == len(teams) - 1  # the rep turned it off
    assert digests_due(now=MONDAY_9_ROME + timedelta(hours=1)) == 1
    assert len(mail.outbox) == len(teams) - 1  # once a week
    assert digests_due(now=MONDAY_9_ROME + timedelta(hours=4)) == 0  # Monday afternoon


def test_a_digest_that_fails_goes_again_at_the_next_run(history, teams, monkeypatch):
    real_send = EmailMultiAlternatives.send
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda self, *a, **k: 1 / 0)
    assert digests_send(organization_id=history.pk, now=MONDAY_9_ROME) == 0
    assert not DigestSent.objects.exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert digests_send(organization_id=history.pk, now=MONDAY_9_ROME) == len(teams)
    assert digests_send(organization_id=history.pk, now=MONDAY_9_ROME) == 0


def test_the_digest_reads_stored_results_in_a_fixed_number_of_queries(history, teams):
    with CaptureQueriesContext(connection) as few:
        digest_of(teams[Role.SALES_MANAGER], now=MONDAY_9_ROME)
    with CaptureQueriesContext(connection) as many:
        digest_of(teams[Role.LEADERSHIP], now=MONDAY_9_ROME)
    assert len(few) <= 30
    assert len(many) <= 30


@pytest.mark.parametrize("role", list(Role))
def test_the_page_previews_each_roles_digest(history, teams, role):
    page = signed_in_client(teams[role]).get("/notifications/digest/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="digest"' in text
    assert "Turn the digest off" in text
    assert ("digest-breaches" in text) == (role != Role.LEADERSHIP)


def test_a_claim_a_dead_run_left_unsent_is_taken_again(history, teams):
    DigestSent.objects.create(organization=history, user=teams[Role.SALES_REP].user,
                              week=date(2026, 11, 16), sent_at=MONDAY_9_ROME)  # fmt: skip
    assert digests_send(organization_id=history.pk, now=MONDAY_9_ROME) == len(teams) - 1
    later = MONDAY_9_ROME + timedelta(hours=1)
    assert digests_send(organization_id=history.pk, now=later) == 1  # the rep's, at last
    assert digests_send(organization_id=history.pk, now=later) == 0
    assert DigestSent.objects.filter(sent=True).count() == len(teams)


@pytest.fixture
def drifting(org):
    """The constructed history of tests/reviews/drift_history.py measured on the digest's
    Sunday: lead -> MQL converts 30 % against the 50 % the plan assumes."""
    build_history(org, TODAY)
    plan = drift_active_plan(org, date(2027, 1, 1))
    drift_recompute(organization_id=org.pk, today=TODAY)
    return plan


def test_the_digest_lists_the_assumptions_at_risk_in_the_readers_language(drifting, teams):
    manager, leadership = teams[Role.MARKETING_MANAGER], teams[Role.LEADERSHIP]
    Preferences.objects.create(organization=drifting.organization, user=leadership.user,
                               language="it")  # fmt: skip

    digests_send(organization_id=drifting.organization_id, now=MONDAY_9_ROME)

    by_address = {m.to[0]: m for m in mail.outbox}
    mine = by_address[manager.user.email]
    assert (
        "== Plan drift ==\n- FY plan: Lead → Marketing-qualified lead converts 30.0% (95% CI "
        "24.1%–36.7%, 200 leads) against 50.0% assumed, below the assumption; at current "
        "rates -40 customers, -€480,000 revenue.\n"
        "http://127.0.0.1:8000/organizations/acme/go/?next=%2Freviews%2Fdrift%2F"
    ) in mine.body
    ((html, _kind),) = mine.alternatives
    assert "<li><strong>FY plan</strong>: Lead → Marketing-qualified lead converts 30.0%" in html
    assert 'href="http://127.0.0.1:8000/organizations/acme/go/?next=%2Freviews%2Fdrift%2F"' in html
    drifts = mine.body.split("== Plan drift ==\n")[1].split("\nhttp")[0]
    assert drifts.count("\n- ") == 0  # one line: only what is at risk (its stage time is not)
    theirs = by_address[leadership.user.email]
    assert "Lead → Lead qualificato dal marketing" in theirs.body  # Italian stage names
    assert "30,0% (IC 95% 24,1%–36,7%" in theirs.body  # Italian words and numbers
    assert "-480.000\xa0€" in theirs.body


def test_without_a_drift_the_digest_says_none_drifts(history, teams):
    page = signed_in_client(teams[Role.SALES_MANAGER]).get("/notifications/digest/")

    assert "No plan assumption drifts." in page.content.decode()
    assert "go/?next=%2Freviews%2Fdrift%2F" in page.content.decode()
    digests_send(organization_id=history.pk, now=MONDAY_9_ROME)
    assert "== Plan drift ==\nNo plan assumption drifts.\n" in mail.outbox[0].body


def test_the_digest_tells_the_costliest_drifts_and_how_many_more(history, teams):
    plan = active_plan(history)
    pairs = ["lead->mql", "mql->sql", "sql->opportunity", "opportunity->customer"]
    for position, pair in enumerate(pairs):
        for metric, customers in (("rate", -position - 1), ("days", position + 10)):
            drift_row(plan, pair, position, metric, "below" if metric == "rate" else "above",
                      assumed=Decimal("0.5"), measured=Decimal("0.3"), low=Decimal("0.2"),
                      high=Decimal("0.4"), customers_delta=customers,
                      revenue_delta=Decimal(customers * 10000))  # fmt: skip

    digests_send(organization_id=history.pk, now=MONDAY_9_ROME)

    body = mail.outbox[0].body.split("== Plan drift ==\n")[1].split("\nhttp")[0]
    lines = body.splitlines()
    assert len(lines) == 6  # five, and how many more
    assert "+13 customers, +€130,000 revenue." in lines[0]  # the most customers at stake first
    assert "-4 customers, -€40,000 revenue." in lines[4]
    assert lines[5] == "And 3 more assumptions at risk."


def test_a_reps_digest_lists_their_own_targets(history, teams):
    from objectives.services import Draft, objective_create, objective_split

    rep = teams[Role.SALES_REP]
    draft = Draft(title="November revenue", metric="won_revenue", target=Decimal("50000"),
                  first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))  # fmt: skip
    objective = objective_create(organization=history, by=None, draft=draft, today=TODAY)
    objective_split(objective=objective, method="equal", today=TODAY, members=[rep])

    digests_send(organization_id=history.pk, now=MONDAY_9_ROME)

    mine = next(m for m in mail.outbox if m.to == [rep.user.email])
    assert "- November revenue: " in mine.body
