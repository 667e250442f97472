"""The monthly review pack: one page per month, composed of stored results only, in a
fixed number of queries; months out of its range are not found, with a reason."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.services.leads import lead_create
from funnel.selectors import active_plan, plan_target_rows
from kpis.recompute import kpis_recompute_full
from orgs.demo import seed_demo_organizations
from orgs.models import Membership, Organization, Role
from reviews.models import ReviewDecision
from sla.selectors import calendar_of
from sla.services import compliance_recompute
from smarketing.lib.months import add_months
from tests.conftest import signed_in_client
from tests.reviews.history import march_drift_and_pulse
from tests.sla.compliance_history import text_of

pytestmark = pytest.mark.django_db
PACK = "/reviews/2025-03/"


def _rows(page, testid):
    """A table's body rows as lists of cell texts."""
    table = page.content.decode().split(f'data-testid="{testid}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def test_the_pack_of_a_month_shows_every_section_from_the_stored_results(march, org, member):
    page = signed_in_client(member(Role.LEADERSHIP)).get(PACK)

    assert page.status_code == 200
    assert text_of(page, "pack-title") == "Monthly review, March 2025"
    for key in ("plan", "objectives", "sla", "results", "drift", "pulse", "decisions"):
        assert f'data-testid="section-{key}"' in page.content.decode(), key
    # Plan versus actual: March's MQLs are the four handed over, against the plan's target.
    target = plan_target_rows(org, active_plan(org), month=date(2025, 3, 1), channel="",
                              stage="mql").get()["target"]  # fmt: skip
    mql = text_of(page, "stage-mql").split()
    assert mql[:4] == ["Marketing-qualified", "lead", f"{target:,}", "4"]
    # The SLA's month: both sides' figures and the month's breaches.
    assert text_of(page, "sla-figures").startswith("MQLs delivered 4 of 4 committed")
    assert "Sales owes marketing" in text_of(page, "sla-owes")
    assert re.fullmatch(
        r"\d+ breaches recorded for the month, \d+ still open\.", text_of(page, "breach-count")
    )
    # The objectives the plan proposed, with their status.
    assert "Won revenue · The plan" in text_of(page, "section-objectives")


def test_channels_and_campaigns_show_cost_per_lead_and_roi_in_the_currency(march, member):
    page = signed_in_client(member(Role.MARKETING_MANAGER)).get(PACK)

    channels = {row[0]: row[1:] for row in _rows(page, "channels")}
    # leads, MQLs, new customers, won revenue, cost, cost per lead, ROI
    assert channels["Paid search"] == ["2", "2", "1", "€900", "€400", "€200", "125.0%"]
    assert channels["Social"] == ["2", "2", "0", "€0", "€0", "€0", "—"]
    assert list(channels) == ["Paid search", "Social"]  # the best first
    campaigns = {row[0]: row[1:] for row in _rows(page, "campaigns")}
    assert campaigns["Spring ads"][3:] == [
        "€0",
        "€400",
        "—",
        "-100.0%",
    ]  # a cost, no lead of its own
    assert campaigns["No campaign"][:4] == ["4", "4", "1", "€900"]


def test_the_pack_follows_up_the_last_reviews_decisions(march, org, member):
    manager = member(Role.SALES_MANAGER)
    ReviewDecision.objects.create(organization=org, month=date(2025, 2, 1), text="Call back every webinar lead",
                                  owner=manager, due=date(2025, 3, 10))  # fmt: skip
    ReviewDecision.objects.create(organization=org, month=date(2025, 1, 1), text="Fix the lead form",
                                  owner=manager, due=date(2025, 2, 1),
                                  done_at=datetime(2025, 2, 1, tzinfo=UTC))  # fmt: skip
    ReviewDecision.objects.create(organization=org, month=date(2024, 12, 1), text="Agree on an MQL",
                                  owner=manager, due=date(2025, 1, 31))  # fmt: skip

    page = signed_in_client(member(Role.LEADERSHIP)).get(PACK)

    last = text_of(page, "last-review")
    assert "Call back every webinar lead" in last
    assert "overdue" in last
    assert "due March 10, 2025" in last
    assert "Agree on an MQL" in text_of(page, "carried-over")  # still open, from December
    assert "Fix the lead form" not in page.content.decode()  # done, two reviews back
    assert 'data-testid="add-decision"' not in page.content.decode()  # leadership reads


def test_the_pack_opens_in_a_fixed_number_of_queries(
    march, org, member, django_assert_max_num_queries
):
    client = signed_in_client(member(Role.MARKETING_MANAGER))
    client.get(PACK)  # the session and the member, warmed

    # session, user, member, the menu's memberships; the calendar and the months; the plan,
    # stages and channels; targets, facts and the revenue goal; objectives (3) and their
    # scopes; the SLA's scorecard (a dozen) and breaches (2); results (3); the plans and
    # their drift (2); the pulse, the cadence or its answers, and its period's index (the
    # calendar, the SLA's scorecard again, the objectives again: 17); decisions; the members
    # a decision's owner is chosen from
    with django_assert_max_num_queries(54):
        assert client.get(PACK).status_code == 200

    with CaptureQueriesContext(connection) as before:
        client.get(PACK)
    for i in range(15):
        lead_create(organization=org, by=None, name=f"More {i}", stage="mql",
                    created_at=datetime(2025, 3, 12, tzinfo=UTC))  # fmt: skip
        ReviewDecision.objects.create(organization=org, month=date(2025, 2, 1), text=f"Do {i}",
                                      owner=Membership.objects.for_org(org).first(), due=date(2025, 4, 1))  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    march_drift_and_pulse(org, sales_answers=5)  # drift rows and answers: no more queries
    with CaptureQueriesContext(connection) as after:
        client.get(PACK)
    assert len(after) == len(before)


def test_the_demo_organisation_has_a_pack_for_last_month():
    seed_demo_organizations()
    organization = Organization.objects.get(slug="demo")
    compliance_recompute(organization_id=organization.pk, now=timezone.now())
    client = signed_in_client(
        Membership.objects.get(organization=organization, user__username="sales")
    )

    latest = client.get("/reviews/")
    page = client.get(latest["Location"])

    # The demo keeps Rome's calendar: from 23:00 UTC on a month's last day, that month is over.
    zone = ZoneInfo(calendar_of(organization).time_zone)
    last_month = add_months(timezone.now().astimezone(zone).date().replace(day=1), -1)
    assert latest["Location"] == f"/reviews/{last_month:%Y-%m}/"
    assert page.status_code == 200
    for testid in ("journey", "sla-figures", "channels", "campaigns", "add-decision"):
        assert f'data-testid="{testid}"' in page.content.decode(), testid
    assert "€" in text_of(page, "channels")


@pytest.fixture
def since_january(org):
    """Facts from January 2026 on: the organisation's packs start then."""
    lead_create(organization=org, by=None, name="First", stage="lead",
                created_at=datetime(2026, 1, 15, tzinfo=UTC))  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    return org


@pytest.mark.parametrize("month", ["2025-12", "1990-01"])
def test_a_month_before_the_organisations_data_has_no_pack(since_january, member, month):
    page = signed_in_client(member(Role.ADMIN)).get(f"/reviews/{month}/")

    assert page.status_code == 404
    assert "the packs run from January 2026, the organisation's first data" in text_of(
        page, "outside"
    )
    assert (
        signed_in_client(member(Role.ADMIN)).get(f"/reviews/{month}/export.xlsx").status_code == 404
    )


def test_a_month_still_to_come_has_no_pack(since_january, member):
    next_month = add_months(timezone.now().date().replace(day=1), 1)

    page = signed_in_client(member(Role.ADMIN)).get(f"/reviews/{next_month:%Y-%m}/")

    assert page.status_code == 404
    assert "There is no review pack for" in text_of(page, "outside")


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "0000-01", "9999-12", "२०२६-०१", "2026-1", "march"]
)
def test_a_month_that_is_none_is_not_found(since_january, member, month):
    assert signed_in_client(member(Role.ADMIN)).get(f"/reviews/{month}/").status_code == 404


def test_the_way_in_leads_to_the_last_month_over_or_the_month_picked(since_january, member):
    client = signed_in_client(member(Role.SALES_REP))
    last_month = add_months(timezone.now().date().replace(day=1), -1)

    assert client.get("/reviews/")["Location"] == f"/reviews/{last_month:%Y-%m}/"
    assert client.get("/reviews/?month=2026-02")["Location"] == "/reviews/2026-02/"
    assert client.get("/reviews/?month=2026-99")["Location"] == f"/reviews/{last_month:%Y-%m}/"


@pytest.mark.parametrize("role", list(Role))
def test_every_member_reads_the_pack_and_only_managers_and_admins_keep_its_decisions(
    since_january, member, role
):
    page = signed_in_client(member(role)).get("/reviews/2026-02/")

    assert page.status_code == 200
    keeps = role in (Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER)
    assert ('data-testid="add-decision"' in page.content.decode()) is keeps


def test_the_running_month_is_read_to_today(since_january, member):
    this_month = timezone.now().date().replace(day=1)

    page = signed_in_client(member(Role.ADMIN)).get(f"/reviews/{this_month:%Y-%m}/")

    assert page.status_code == 200
    assert "The month is under way" in text_of(page, "read-to")


def test_the_menu_leads_to_the_pack(since_january, member):
    page = signed_in_client(member(Role.LEADERSHIP)).get("/")

    assert 'href="/reviews/"' in page.content.decode()


def test_the_pack_reads_in_the_readers_language(march, member):
    client = signed_in_client(member(Role.SALES_MANAGER))
    client.cookies["django_language"] = "it"

    page = client.get(PACK)

    assert "Marzo 2025" in text_of(page, "pack-title")  # the month as Italian writes it
    paid = _rows(page, "channels")[0]
    assert paid[4:] == ["900 €", "400 €", "200 €", "125,0%"]  # the symbol after, a comma
