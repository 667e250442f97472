"""GET/PUT /api/v1/sla/calendar/: every member reads it, managers set it, bad input is a 400
naming the field and changes nothing, and another organisation's calendar is its own."""

from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from orgs.models import Role
from sla.calendar import business_hours
from sla.models import BusinessCalendar
from sla.selectors import calendar_of
from tests.conftest import token_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ROME = {
    "time_zone": "Europe/Rome",
    "working_days": [1, 2, 3, 4, 5],
    "day_start": "09:00",
    "day_end": "18:00",
    "holidays_country": "IT",
    "extra_holidays": ["2027-08-16"],
}


def test_an_organisation_starts_with_a_monday_to_friday_calendar_in_utc(member):
    answer = token_client(member(Role.SALES_REP)).get("/api/v1/sla/calendar/")

    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ROME} == {
        "time_zone": "UTC", "working_days": [1, 2, 3, 4, 5], "day_start": "09:00",
        "day_end": "18:00", "holidays_country": "", "extra_holidays": [],
    }  # fmt: skip
    assert body["coming_holidays"] == []


@pytest.mark.parametrize("role", [Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.ADMIN])
def test_a_manager_sets_the_calendar_and_response_times_count_by_it(member, role):
    api = token_client(member(role))

    with mock.patch("sla.api.timezone.localdate", return_value=date(2026, 11, 30)):
        answer = api.put("/api/v1/sla/calendar/", ROME, format="json")

    assert answer.status_code == 200, answer.json()
    assert {k: answer.json()[k] for k in ROME} == ROME
    coming = answer.json()["coming_holidays"]
    assert coming[:3] == ["2026-12-08", "2026-12-25", "2026-12-26"]  # Italy's, in order
    assert "2027-08-16" in coming  # the organisation's own
    assert all("2026-11-30" <= d <= "2027-11-30" for d in coming)
    calendar = calendar_of(member(role).organization).working_time(2027, 2027)
    rome = ZoneInfo("Europe/Rome")
    friday, monday = (
        datetime(2027, 1, 15, 17, 30, tzinfo=rome),
        datetime(2027, 1, 18, 9, 45, tzinfo=rome),
    )
    assert business_hours(friday, monday, calendar) == Decimal("1.25")
    # Epiphany (6 January) is an Italian public holiday; 16 August is the organisation's own.
    assert datetime(2027, 1, 6).date() in calendar.holidays
    assert datetime(2027, 8, 16).date() in calendar.holidays


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.LEADERSHIP])
def test_reps_and_leadership_read_but_do_not_set_it(member, role):
    assert (
        token_client(member(role)).put("/api/v1/sla/calendar/", ROME, format="json").status_code
        == 403
    )
    assert not BusinessCalendar.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "x" * 65}, "time_zone"),
        ({"working_days": []}, "working_days"),
        ({"working_days": [1, 8]}, "working_days"),
        ({"working_days": [1, 1, 2]}, "working_days"),
        ({"day_start": "25:00"}, "day_start"),
        ({"day_start": "18:00", "day_end": "09:00"}, "day_end"),
        ({"holidays_country": "XX"}, "holidays_country"),
        ({"extra_holidays": ["2027-02-30"]}, "extra_holidays"),
        ({"extra_holidays": ["1066-10-14"]}, "extra_holidays"),
        ({"extra_holidays": ["2027-08-16", "2027-08-16"]}, "extra_holidays"),
        ({"extra_holidays": [f"2027-01-{d:02d}" for d in range(1, 32)] * 4}, "extra_holidays"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_keeps_the_calendar(member, given, field):
    api = token_client(member(Role.ADMIN))
    assert api.put("/api/v1/sla/calendar/", ROME, format="json").status_code == 200

    answer = api.put("/api/v1/sla/calendar/", ROME | given, format="json")

    assert answer.status_code == 400
    assert any(name.startswith(field) for name in answer.json()["error"]["fields"]), answer.json()
    assert BusinessCalendar.objects.get().time_zone == "Europe/Rome"
    assert BusinessCalendar.objects.get().extra_holidays[0].isoformat() == "2027-08-16"


def test_each_organisation_has_its_own_calendar(member, other_org):
    token_client(member(Role.ADMIN)).put("/api/v1/sla/calendar/", ROME, format="json")
    theirs = token_client(MembershipFactory(organization=other_org, role=Role.ADMIN))

    assert theirs.get("/api/v1/sla/calendar/").json()["time_zone"] == "UTC"
    assert (
        theirs.put(
            "/api/v1/sla/calendar/", ROME | {"time_zone": "Asia/Tokyo"}, format="json"
        ).status_code
        == 200
    )
    assert sorted(BusinessCalendar.objects.values_list("time_zone", flat=True)) == [
        "Asia/Tokyo",
        "Europe/Rome",
    ]
