"""Each role's home is its overview of the active plan, read from stored results."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.demo import seed_crm_history
from crm.models import Activity, Channel
from crm.selectors import leads_waiting_for_first_touch
from crm.services.leads import lead_create
from crm.services.records import record_create
from dashboards.home import home_overview
from funnel.selectors import plan_progress
from funnel.services import plan_activate, plan_create
from funnel.tracking import progress
from kpis.recompute import kpis_recompute_full
from orgs.demo import seed_demo_organizations
from orgs.models import Membership, Organization, Role
from reviews.overview import Behind, furthest_behind
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 15)


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=TODAY)
    kpis_recompute_full(organization_id=org.pk)
    inputs = {
        "revenue_goal": "900000",
        "average_deal_size": "10000",
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
        "channels": [
            {"code": "organic_search", "share": "0.5"},
            {"code": "paid_search", "share": "0.3"},
            {"code": "event", "share": "0.2"},
        ],
    }
    plan = plan_create(
        organization=org, by=None, name="FY2026", first_month=date(2026, 1, 1),
        last_month=date(2026, 12, 1), inputs=inputs,
    )  # fmt: skip
    plan_activate(plan=plan)
    return org


# What each role's home adds to the plan's overview (revenue, pace, stages behind).
SECTIONS = {
    Role.LEADERSHIP: {"customers"},
    Role.MARKETING_MANAGER: {"channels-behind", "open-breaches"},
    Role.SALES_MANAGER: {"waiting", "open-breaches"},
    Role.SALES_REP: {"waiting", "open-breaches", "targets"},
    Role.ADMIN: {"customers", "channels-behind", "waiting"},
}
EVERY_SECTION = {"customers", "channels-behind", "waiting", "targets", "open-breaches"}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_plan_against_what_happened_and_its_own_part(history, member, role):
    page = signed_in_client(member(role)).get("/").content.decode()

    for testid in ["revenue", "behind", "pace", *SECTIONS[role]]:
        assert f'data-testid="{testid}"' in page, testid
    for testid in EVERY_SECTION - SECTIONS[role]:
        assert f'data-testid="{testid}"' not in page, testid
    assert "What your role allows" not in page
    assert "€900,000" in page  # the revenue goal, in the organisation's currency
    assert "Marketing-qualified lead" in page  # stages by name, not code
    assert "FY2026" in page


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # session, member, memberships for the switcher, plan, its targets and facts (2), the
        # revenue (2), stage and channel names (2), the facts' freshness (2)
        (Role.LEADERSHIP, 13),
        (Role.MARKETING_MANAGER, 16),  # + the SLA breaches, how many, the calendar's zone
        (Role.SALES_MANAGER, 18),  # + the leads waiting and how many
        (Role.SALES_REP, 19),  # + their own leads waiting, and their rep targets
        (Role.ADMIN, 15),
    ],
)
def test_the_home_opens_in_a_fixed_number_of_queries(
    history, member, role, queries, django_assert_num_queries
):
    client = signed_in_client(member(role))
    client.get("/")  # the session and the member, warmed

    with django_assert_num_queries(queries):
        client.get("/")


def test_the_query_count_does_not_grow_with_the_data(history, member):
    client = signed_in_client(member(Role.ADMIN))
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for i in range(20):
        lead_create(organization=history, by=None, stage="mql", name=f"More {i}")
    kpis_recompute_full(organization_id=history.pk)
    with CaptureQueriesContext(connection) as after:
        client.get("/")

    assert len(after) == len(before)


def test_the_stages_furthest_behind_are_those_short_by_the_largest_share_of_their_target():
    today = date(2026, 6, 30)
    cells = [
        Behind("lead", "", progress({"2026-01": 1000}, {"2026-01": 900}, today)),  # -10 %
        Behind("sql", "", progress({"2026-01": 100}, {"2026-01": 50}, today)),  # -50 %
        Behind("mql", "", progress({"2026-01": 200}, {"2026-01": 150}, today)),  # -25 %
        Behind("customer", "", progress({"2026-01": 10}, {"2026-01": 12}, today)),  # ahead
    ]

    behind = furthest_behind(cells, 2)

    assert [cell.stage for cell in behind] == ["sql", "mql"]
    assert behind[0].shortfall == -0.5


def test_the_overview_agrees_with_the_plan_page(history):
    leader = MembershipFactory(organization=history, role=Role.LEADERSHIP)

    overview = home_overview(leader, today=TODAY)

    expected = plan_progress(history, overview["plan"], today=TODAY)
    assert [(cell.stage, cell.progress) for cell in overview["stages"]] == expected
    assert overview["customers"].progress == dict(expected)["customer"]
    short = [(s, p) for s, p in expected if p.variance < 0]
    assert {cell.stage for cell in overview["behind"]} <= {s for s, _ in short}
    assert len(overview["behind"]) == min(3, len(short))


def test_marketing_sees_the_channels_furthest_behind_their_lead_and_mql_targets(history):
    marketer = MembershipFactory(organization=history, role=Role.MARKETING_MANAGER)

    overview = home_overview(marketer, today=TODAY)

    channels = overview["channels_behind"]
    assert channels, "the demo history falls short of the plan somewhere"
    assert {cell.stage for cell in channels} <= {"lead", "mql"}
    for cell in channels:  # each as the plan page tells it for that channel
        by_stage = dict(plan_progress(history, overview["plan"], today=TODAY, channel=cell.channel))
        assert cell.progress == by_stage[cell.stage]
        assert cell.progress.variance < 0
    shares = [cell.shortfall for cell in channels]
    assert shares == sorted(shares)


def _at(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


def test_leads_wait_for_a_first_touch_until_a_call_email_or_meeting_answers(org, other_org):
    waiting = lead_create(organization=org, by=None, stage="mql", name="Waiting", created_at=_at(3))
    noted = lead_create(organization=org, by=None, stage="mql", name="Noted", created_at=_at(2))
    called = lead_create(organization=org, by=None, stage="mql", name="Called", created_at=_at(1))
    lead_create(organization=org, by=None, stage="lead", name="Not handed over yet")
    lead_create(organization=other_org, by=None, stage="mql", name="Another organisation's")
    Activity.objects.create(organization=org, lead=noted, kind="note", at=timezone.now())
    Activity.objects.create(organization=org, lead=called, kind="call", at=timezone.now())

    count, oldest = leads_waiting_for_first_touch(org)

    assert count == 2
    assert [lead.name for lead in oldest] == [waiting.name, noted.name]  # longest waiting first


def test_a_touch_before_the_hand_off_does_not_answer_it(org):
    lead = lead_create(organization=org, by=None, stage="mql", name="Early call", created_at=_at(1))
    Activity.objects.create(organization=org, lead=lead, kind="call", at=_at(5))

    assert leads_waiting_for_first_touch(org)[0] == 1


def test_a_rep_sees_their_own_leads_and_the_unassigned_ones(org, member):
    rep, other_rep = member(Role.SALES_REP), member(Role.SALES_REP)
    lead_create(organization=org, by=None, stage="mql", name="Mine", owner=rep.user)
    lead_create(organization=org, by=None, stage="mql", name="Nobody's")
    lead_create(organization=org, by=None, stage="mql", name="Theirs", owner=other_rep.user)

    page = signed_in_client(rep).get("/").content.decode()

    assert "Mine" in page
    assert "Nobody&#x27;s" in page
    assert "Theirs" not in page
    assert "2 leads wait for a first touch" in page
    assert "/crm/leads/?stage=mql" in page


def test_without_an_active_plan_the_home_says_what_a_plan_would_show(org, member):
    record_create(Channel, organization=org, code="webinar", name="Webinar")
    lead_create(organization=org, by=None, stage="mql", name="Waiting")

    page = signed_in_client(member(Role.SALES_MANAGER)).get("/").content.decode()

    assert 'data-testid="no-plan"' in page
    assert 'data-testid="revenue"' not in page
    assert "1 lead waits for a first touch" in page


def test_a_newcomer_to_the_demo_sees_this_years_plan_against_actuals_at_once(capsys):
    seed_demo_organizations()
    demo = Organization.objects.get(slug="demo")
    kpis_recompute_full(organization_id=demo.pk)
    leader = Membership.objects.for_org(demo).get(role=Role.LEADERSHIP)
    sales = Membership.objects.for_org(demo).get(role=Role.SALES_MANAGER)
    waiting, _oldest = leads_waiting_for_first_touch(demo)

    page = signed_in_client(leader).get("/").content.decode()
    sales_page = signed_in_client(sales).get("/").content.decode()

    assert waiting > 0  # a few MQLs nobody called
    assert f"{waiting} leads wait for a first touch" in sales_page
    assert f"FY{timezone.localdate().year}" in page
    assert 'data-testid="revenue"' in page
    assert 'data-testid="customers"' in page
    assert "€" in page


def test_another_organisations_plan_is_not_shown(history, other_org):
    outsider = MembershipFactory(organization=other_org, role=Role.LEADERSHIP)

    page = signed_in_client(outsider).get("/").content.decode()

    assert 'data-testid="no-plan"' in page
    assert "FY2026" not in page


def test_a_rep_sees_their_own_open_sla_breaches_and_a_manager_their_sides(org, member):
    from sla.models import Agreement, Breach

    rep, other = member(Role.SALES_REP), member(Role.SALES_REP)
    agreement = Agreement.objects.create(organization=org, first_month=date(2026, 1, 1),
                                         last_month=date(2026, 12, 1))  # fmt: skip
    mine = lead_create(organization=org, by=None, stage="mql", name="Mine", owner=rep.user)
    theirs = lead_create(organization=org, by=None, stage="mql", name="Theirs", owner=other.user)
    due = timezone.now() - timedelta(hours=1)
    for lead, owner in ((mine, rep.user), (theirs, other.user)):
        Breach.objects.create(organization=org, key=f"first_touch:{lead.pk}", side="sales",
                              kind="first_touch", agreement=agreement, lead=lead,
                              handoff_at=due, month=date(2026, 11, 1), owner=owner, due=due)  # fmt: skip
    Breach.objects.create(organization=org, key="volume:x", side="marketing", kind="volume",
                          agreement=agreement, month=date(2026, 10, 1), due=due - timedelta(days=30),
                          delivered=3, expected=9)  # fmt: skip

    rep_home = signed_in_client(rep).get("/").content.decode()
    manager_home = signed_in_client(member(Role.SALES_MANAGER)).get("/").content.decode()
    marketing_home = signed_in_client(member(Role.MARKETING_MANAGER)).get("/").content.decode()

    assert "1 SLA breach still open" in rep_home
    assert "Mine" in rep_home
    assert "Theirs" not in rep_home
    assert "2 SLA breaches still open" in manager_home
    assert "1 month behind the SLA's MQLs lately" in marketing_home
    assert "Oct 2026" in marketing_home
