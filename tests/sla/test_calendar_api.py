"""GET/PUT /api/v1/sla/calendar/: every member reads it, managers set it, bad input is a 400
naming the field and changes nothing, and another organisation's calendar is its own."""

import importlib
from datetime import date, datetime, time
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from orgs.models import Role
from sla.calendar import business_hours
from sla.models import Agreement, BusinessCalendar
from sla.selectors import calendar_of
from sla.services import agreement_create, calendar_update
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
        ({"day_start": "09:00", "day_end": "09:01"}, "day_end"),  # a day of a minute
        ({"day_start": "09:00", "day_end": "09:59"}, "day_end"),
        ({"day_start": "09:00:00", "day_end": "09:00:01"}, "day_start"),
        ({"time_zone": "localtime"}, "time_zone"),  # the host's, not a place's
        ({"time_zone": "Factory"}, "time_zone"),
        ({"holidays_country": "XX"}, "holidays_country"),
        ({"holidays_country": "UK"}, "holidays_country"),  # the package's alias: GB
        ({"holidays_country": "ß"}, "holidays_country"),  # upper-cased it would be SS
        ({"holidays_country": "ıt"}, "holidays_country"),  # a dotless i: not IT
        ({"extra_holidays": ["2027-02-30"]}, "extra_holidays"),
        ({"extra_holidays": ["20270816"]}, "extra_holidays"),
        ({"extra_holidays": ["2027-W33-1"]}, "extra_holidays"),
        ({"extra_holidays": ["2027-8-6"]}, "extra_holidays"),
        ({"extra_holidays": ["２０２７-０８-１６"]}, "extra_holidays"),
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


def test_a_week_too_thin_for_the_agreements_clocks_is_refused_and_changes_nothing(org, member):
    agreement_create(organization=org, by=None, first_month=date(2026, 1, 1),
                     terms={"mqls_per_month": 10, "first_touch_hours": "720"})  # fmt: skip
    api = token_client(member(Role.ADMIN))
    assert api.put("/api/v1/sla/calendar/", ROME, format="json").status_code == 200

    # An hour each Monday: 720 business hours would take some fourteen years.
    thin = ROME | {"working_days": [1], "day_start": "09:00", "day_end": "10:00"}
    answer = api.put("/api/v1/sla/calendar/", thin, format="json")

    assert answer.status_code == 400
    [message] = answer.json()["error"]["fields"]["non_field_errors"]
    assert "720 business hours" in message
    assert "five years" in message
    assert BusinessCalendar.objects.get().working_days == [1, 2, 3, 4, 5]
    # A whole Monday a week runs them out in 80 weeks.
    assert (
        api.put("/api/v1/sla/calendar/", ROME | {"working_days": [1]}, format="json").status_code
        == 200
    )


def test_terms_too_long_for_the_calendar_are_refused_naming_the_term(org, member):
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1],
                    day_start=time(9), day_end=time(10))  # fmt: skip
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {"first_month": "2027-01", "mqls_per_month": 10}

    too_long = api.post(
        "/api/v1/sla/agreements/", body | {"first_touch_hours": "720"}, format="json"
    )

    assert too_long.status_code == 400
    assert list(too_long.json()["error"]["fields"]) == ["first_touch_hours"]
    assert not Agreement.objects.exists()
    # 90 working days of an hour: 90 Mondays, within two years.
    fits = api.post("/api/v1/sla/agreements/", body | {"decision_days": 90}, format="json")
    assert fits.status_code == 201, fits.json()


@pytest.mark.parametrize(("stored", "read"), [("UK", "GB"), ("ITA", "IT"), ("IT", "IT")])
def test_a_calendar_stored_with_an_alias_of_its_country_reads_its_iso_code(org, stored, read):
    """Migration 0009: what the API took before the calendar took only the page's codes."""
    from django.apps import apps

    migration = importlib.import_module("sla.migrations.0009_holidays_country_gb")
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18), holidays_country="IT")  # fmt: skip
    BusinessCalendar.objects.filter(organization=org).update(holidays_country=stored)

    migration.two_letter_codes(apps, None)

    assert BusinessCalendar.objects.get(organization=org).holidays_country == read
