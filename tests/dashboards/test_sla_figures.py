"""The sales and leadership dashboards show the Sales-Marketing agreement's figures while one is
in force: sales its response times in business hours and what is overdue, leadership who
owes whom and the shortfall; the calendar-time response is then labelled as such."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from orgs.models import Role
from smarketing.lib.months import add_months
from tests.conftest import signed_in_client
from tests.sla.compliance_history import four_mqls, text_of

pytestmark = pytest.mark.django_db


def first_monday(month):
    return month + timedelta(days=(7 - month.weekday()) % 7)


@pytest.fixture
def in_force(org, member):
    """four_mqls in the first week of the month before last, under an agreement that began
    then and runs a year: in force today."""
    first = add_months(timezone.localdate().replace(day=1), -2)
    return four_mqls(org, member, first_month=first, monday=first_monday(first))


def test_the_sales_dashboard_shows_the_agreed_response_in_business_hours(in_force, member):
    page = signed_in_client(member(Role.SALES_REP)).get("/dashboards/sales/")

    assert page.status_code == 200
    # Dee after 1, Ann after 1.25, Ben after 6 business hours; Ann and Dee of the four in
    # time; Ann and Ben decided in time; Cy untouched, Cy and Dee undecided.
    assert text_of(page, "sla-response") == (
        "First touch, median 1.25 business hours 90th percentile: 6 business hours"
    )
    assert text_of(page, "sla-within-window") == "Touched within 4 business hours 50.0%"
    assert text_of(page, "sla-decided") == "Accepted or rejected in time 50.0%"
    assert text_of(page, "sla-overdue") == "Overdue now 3 1 not touched, 2 not decided"
    assert 'href="/sla/compliance/"' in page.content.decode()
    # The KPI's own response time stays, said to be calendar time against the old window.
    assert text_of(page, "lead-response").startswith("Lead response, calendar time")
    assert "against the organisation's window of 24 hours" in text_of(page, "calendar-window")


def test_the_leadership_dashboard_shows_who_owes_whom_and_the_shortfall(in_force, member):
    page = signed_in_client(member(Role.LEADERSHIP)).get("/dashboards/leadership/")

    assert page.status_code == 200
    owes = text_of(page, "sla-owes")
    assert owes.startswith("Marketing Marketing owes sales ")  # this month's due is pro-rated
    assert "4 delivered of " in owes
    assert "Sales Sales owes marketing a first touch on 1 MQL and a decision on 2 MQLs" in owes
    shortfall = text_of(page, "sla-shortfall")
    # Quality: 2 decided x 60% - 1 accepted = 0.2 MQLs x 0.125 x 10,000; speed unmeasured.
    assert "Quality 0.2 MQLs 0.0 customers, €250" in shortfall
    assert "Speed 2 MQLs not enough history yet to measure what speed is worth" in shortfall
    assert "In all, of the parts measured" in shortfall


def test_an_owner_chosen_still_sees_the_whole_organisations_sla(in_force, member):
    rita = in_force["rita"]
    page = signed_in_client(member(Role.SALES_MANAGER)).get(f"/dashboards/sales/?owner={rita.pk}")

    assert text_of(page, "sla-overdue") == "Overdue now 3 1 not touched, 2 not decided"
    assert "the whole organisation's" in text_of(page, "sla-figures")


@pytest.mark.parametrize("name", ["sales", "leadership"])
def test_without_an_agreement_in_force_the_dashboards_show_no_sla(org, member, name):
    # Last year's agreement, over: nothing in force.
    last_year = timezone.localdate().year - 1
    four_mqls(
        org, member, first_month=date(last_year, 1, 1), monday=first_monday(date(last_year, 3, 1))
    )

    page = signed_in_client(member(Role.LEADERSHIP)).get(f"/dashboards/{name}/")

    assert page.status_code == 200
    assert 'data-testid="sla-figures"' not in page.content.decode()
    assert "calendar time" not in page.content.decode()
