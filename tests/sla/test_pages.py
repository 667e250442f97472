"""The SLA's pages: the agreements and the draft of a new one, an agreement in words with its
sign buttons, its edit and amend forms, and the business calendar. Every bad input comes
back with the field's error and saves nothing; readers read; another organisation's
agreement is a 404."""

import html
import re
from datetime import date, time

import pytest

from funnel.services import plan_activate, plan_create
from orgs.models import Role
from sla.models import Agreement, AgreementVersion, BusinessCalendar, Signature
from sla.services import (
    agreement_amend,
    agreement_create,
    agreement_sign,
    calendar_update,
    fingerprint,
    latest_version,
)
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TERMS = {"mqls_per_month": 120, "channel_mqls": {"paid_search": 50, "social": 30},
         "acceptance_rate": 70, "first_touch_hours": "4", "attempts": 3, "attempts_days": 5,
         "decision_days": 2}  # fmt: skip
# The draft form as a manager fills it in.
FORM = {"first_month": "2027-01", "mqls_per_month": "120", "channel_paid_search": "50",
        "channel_social": "30", "acceptance_rate": "70", "fit_share": "", "shortfall_tolerance": "10",
        "first_touch_hours": "4", "attempts": "3", "attempts_days": "5", "decision_days": "2",
        "rejection_reasons": ["no_budget", "duplicate"]}  # fmt: skip


def text(answer) -> str:
    return html.unescape(answer.content.decode())


def buttons(answer) -> set[str]:
    """The sides the page offers to sign."""
    return set(re.findall(r'data-testid="sign-(marketing|sales|leadership)"', text(answer)))


def words(answer) -> str:
    """The page's text without its tags, spaces folded: what a reader reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(answer)))


@pytest.fixture
def managers(org):
    def named(first, last, role):
        user = UserFactory(first_name=first, last_name=last)
        return MembershipFactory(organization=org, user=user, role=role)

    return named("Mia", "Marketing", Role.MARKETING_MANAGER), named("Sam", "Sales", Role.SALES_MANAGER)  # fmt: skip


@pytest.fixture
def agreement(org):
    return agreement_create(organization=org, by=None, first_month=date(2027, 1, 1), terms=TERMS)


def sign_both(agreement, managers):
    for membership, side in zip(managers, ("marketing", "sales"), strict=True):
        agreement_sign(agreement=agreement, membership=membership, side=side)


def versions(agreement):
    return list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))


# --- the list and the draft ---


def test_the_list_shows_periods_by_name_newest_first_with_who_signed(org, managers, member):
    older = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1), terms=TERMS)
    sign_both(older, managers)
    agreement_create(organization=org, by=None, first_month=date(2027, 1, 1), terms=TERMS)
    client = signed_in_client(member(Role.SALES_REP))

    page = words(client.get("/sla/"))

    assert page.index("January 2027 – December 2027") < page.index("January 2026 – December 2026")
    assert "Draft: awaiting both signatures" in page
    assert "Version 1 in force" in page
    assert "Mia Marketing" in page
    assert "Sam Sales" in page
    assert "Draft this year" not in page  # a rep reads, does not draft


def test_a_manager_drafts_the_agreement_with_the_plans_mqls_proposed(org, managers):
    year = date.today().year  # the form offers this year's agreement
    plan = plan_create(
        organization=org, by=None, name="FY", first_month=date(year, 1, 1), last_month=date(year, 12, 1),
        inputs={"revenue_goal": "1200000", "average_deal_size": "10000",
                "stages": ["lead", "mql", "sql", "opportunity", "customer"],
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
                "channels": [{"code": "paid_search", "share": "0.5"}, {"code": "social", "share": "0.5"}]},
    )  # fmt: skip
    plan_activate(plan=plan)
    client = signed_in_client(managers[0])

    form = client.get("/sla/").context["form"]
    proposed = form.initial["mqls_per_month"]
    assert form.initial["first_month"] == date(year, 1, 1)
    answer = client.post("/sla/", {**FORM, "first_month": f"{year}-01", "mqls_per_month": proposed,
                                   "channel_paid_search": form.initial["channel_paid_search"],
                                   "channel_social": form.initial["channel_social"]})  # fmt: skip

    assert proposed > 0
    assert form.initial["channel_paid_search"] > 0
    made = Agreement.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/sla/{made.pk}/"
    version = latest_version(made)
    assert (version.mqls_per_month, made.last_month) == (proposed, date(year, 12, 1))
    assert set(version.channel_mqls) == {"paid_search", "social"}
    assert version.rejection_reasons == ["no_budget", "duplicate"]
    assert version.created_by == managers[0].user


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"first_month": "2027-13"}, "first_month", "Enter a valid date"),
        ({"mqls_per_month": "-1"}, "mqls_per_month", "greater than or equal to 0"),
        ({"acceptance_rate": "120"}, "acceptance_rate", "less than or equal to 100"),
        ({"first_touch_hours": "0.1"}, "first_touch_hours", "greater than or equal to 0.25"),
        ({"decision_days": "0"}, "decision_days", "greater than or equal to 1"),
        ({"rejection_reasons": []}, "rejection_reasons", "Keep at least one reason."),
        ({"rejection_reasons": ["made_up"]}, "rejection_reasons", "Select a valid choice"),
        ({"channel_paid_search": "500"}, "channel_mqls", "add up to more than the month"),
    ],
)
def test_a_bad_draft_comes_back_with_the_fields_error_and_saves_nothing(
    managers, given, field, message
):
    client = signed_in_client(managers[0])

    answer = client.post("/sla/", {**FORM, **given})

    assert answer.status_code == 400
    form = answer.context["form"]
    errors = form.channel_errors if field == "channel_mqls" else form.errors[field]
    assert any(message in e for e in errors), errors
    assert message in text(answer)
    assert answer.context["form"]["mqls_per_month"].value() == given.get("mqls_per_month", "120")
    assert not Agreement.objects.exists()


def test_a_second_agreement_for_the_same_period_is_refused_on_its_first_month(managers, agreement):
    answer = signed_in_client(managers[0]).post("/sla/", FORM)

    assert answer.status_code == 400
    assert "covers some of these months already" in answer.context["form"].errors["first_month"][0]
    assert Agreement.objects.count() == 1


def test_without_an_active_plan_the_form_asks_for_the_mqls(managers):
    page = signed_in_client(managers[0]).get("/sla/")

    assert page.context["form"].initial["mqls_per_month"] is None
    assert "No active plan has MQL targets for this period" in text(page)
    assert "Draft this year's agreement" in text(page)


def test_the_list_reads_a_fixed_number_of_queries(
    org, managers, member, django_assert_max_num_queries
):
    client = signed_in_client(member(Role.LEADERSHIP))
    agreement_create(organization=org, by=None, first_month=date(2020, 1, 1), terms=TERMS)
    with django_assert_max_num_queries(7) as one:  # no draft form for a reader
        client.get("/sla/")
    for year in range(2021, 2026):
        made = agreement_create(
            organization=org, by=None, first_month=date(year, 1, 1), terms=TERMS
        )
        sign_both(made, managers)

    with django_assert_max_num_queries(len(one.captured_queries)):
        answer = client.get("/sla/")

    assert words(answer).count("Version 1 in force") == 5


def test_the_draft_form_offers_the_first_year_without_an_agreement(managers, org):
    this_year = date.today().year
    agreement_create(organization=org, by=None, first_month=date(this_year, 1, 1), terms=TERMS)

    page = signed_in_client(managers[0]).get("/sla/")

    assert page.context["form"].initial["first_month"] == date(this_year + 1, 1, 1)
    assert "Draft the next agreement" in text(page)


# --- readers and tenants ---


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.LEADERSHIP])
def test_readers_read_but_cannot_draft_edit_or_amend(member, agreement, managers, role):
    client = signed_in_client(member(role))
    before = latest_version(agreement).terms()

    assert client.get(f"/sla/{agreement.pk}/").status_code == 200
    assert client.post("/sla/", {**FORM, "first_month": "2028-01"}).status_code == 403
    assert client.get(f"/sla/{agreement.pk}/edit/").status_code == 403
    assert client.post(f"/sla/{agreement.pk}/edit/", {**FORM, "attempts": "9"}).status_code == 403
    sign_both(agreement, managers)
    assert client.post(f"/sla/{agreement.pk}/amend/", {**FORM, "reason": "x"}).status_code == 403

    assert Agreement.objects.count() == 1
    assert [v.terms() for v in versions(agreement)] == [before]
    assert 'data-testid="edit-agreement"' not in text(client.get(f"/sla/{agreement.pk}/"))


def test_another_organisations_agreement_is_a_404(other_org, agreement, client_as):
    client = client_as(Role.ADMIN)
    theirs = agreement_create(
        organization=other_org, by=None, first_month=date(2027, 1, 1), terms={"mqls_per_month": 5}
    )
    seen = fingerprint(latest_version(theirs))

    assert client.get(f"/sla/{theirs.pk}/").status_code == 404
    assert client.get(f"/sla/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/sla/{theirs.pk}/edit/", FORM).status_code == 404
    assert client.post(f"/sla/{theirs.pk}/amend/", {**FORM, "reason": "x"}).status_code == 404
    answer = client.post(f"/sla/{theirs.pk}/sign/", {"side": "marketing", "fingerprint": seen})
    assert answer.status_code == 404
    assert not Signature.objects.exists()
    assert words(client.get("/sla/")).count("January 2027") == 1  # its own only


# --- the agreement in words ---


def test_the_agreement_reads_in_words_with_names_and_percentages(client_as, agreement):
    answer = client_as(Role.SALES_REP).get(f"/sla/{agreement.pk}/")
    page = words(answer)

    assert "January 2027 – December 2027" in page
    assert "120 MQLs a month" in page
    assert "Paid search 50" in page
    assert "paid_search" not in page
    assert "Not tied to a channel 40" in page
    assert "At least 70% of them accepted by sales." in page
    assert "No share of MQLs fitting a buyer persona is promised." in page
    assert "more than 10% short" in page
    assert "A first touch within 4 business hours of the hand-off." in page
    assert "At least 3 attempts to reach the lead within 5 business days." in page
    assert "Accepts or rejects each MQL within 2 business days." in page
    assert "No budget" in page
    assert "Already a customer" in page
    assert "no_budget" not in page
    full = fingerprint(latest_version(agreement))
    assert f'title="{full}"' in text(answer)
    assert f">{full[:12]}…<" in text(answer)
    assert buttons(answer) == set()  # a rep has no sign button


def test_each_manager_sees_the_button_of_their_own_side(managers, agreement, member):
    marketing, sales = (signed_in_client(m) for m in managers)
    leader = signed_in_client(member(Role.LEADERSHIP))

    page = f"/sla/{agreement.pk}/"

    assert buttons(marketing.get(page)) == {"marketing"}
    assert buttons(sales.get(page)) == {"sales"}
    assert buttons(leader.get(page)) == set()  # countersigns once in force
    sign_both(agreement, managers)
    assert buttons(leader.get(page)) == {"leadership"}
    assert buttons(marketing.get(page)) == set()


def test_two_managers_sign_and_the_agreement_is_in_force_then_leadership_countersigns(
    managers, agreement, member
):
    seen = fingerprint(latest_version(agreement))
    marketing, sales = (signed_in_client(m) for m in managers)

    first = marketing.post(f"/sla/{agreement.pk}/sign/", {"side": "marketing", "fingerprint": seen})
    middle = words(marketing.get(f"/sla/{agreement.pk}/"))
    second = sales.post(f"/sla/{agreement.pk}/sign/", {"side": "sales", "fingerprint": seen})
    leader = signed_in_client(member(Role.LEADERSHIP))
    third = leader.post(f"/sla/{agreement.pk}/sign/", {"side": "leadership", "fingerprint": seen})

    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 302)
    assert "Draft: awaiting sales' signature" in middle
    page = words(sales.get(f"/sla/{agreement.pk}/"))
    assert "Version 1 in force" in page
    assert "Marketing : signed by Mia Marketing on" in page
    assert "Sales : signed by Sam Sales on" in page
    assert "Leadership (countersignature) : signed by" in page
    assert [s.fingerprint for s in Signature.objects.all()] == [seen] * 3


def test_an_admin_standing_in_is_said_so(member, agreement, managers):
    admin = signed_in_client(member(Role.ADMIN))
    seen = fingerprint(latest_version(agreement))

    admin.post(f"/sla/{agreement.pk}/sign/", {"side": "sales", "fingerprint": seen})

    assert "stood in as admin" in words(admin.get(f"/sla/{agreement.pk}/"))
    assert buttons(admin.get(f"/sla/{agreement.pk}/")) == set()  # not both teams: two people


def test_a_change_since_the_page_was_read_is_not_signed(managers, agreement):
    seen = fingerprint(latest_version(agreement))
    signed_in_client(managers[1]).post(
        f"/sla/{agreement.pk}/edit/", {**FORM, "attempts": "4"}
    )  # the sales manager changes the draft meanwhile

    answer = signed_in_client(managers[0]).post(
        f"/sla/{agreement.pk}/sign/", {"side": "marketing", "fingerprint": seen}
    )

    assert answer.status_code == 400
    assert "The terms changed since you read them" in answer.context["sign_error"]
    assert "At least 4 attempts" in words(answer)  # the page shows what it says now
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("role", "side", "code"),
    [
        (Role.SALES_REP, "sales", 403),
        (Role.SALES_REP, "marketing", 403),
        (Role.MARKETING_MANAGER, "sales", 403),
        (Role.MARKETING_MANAGER, "nobody", 400),
    ],
)
def test_a_side_the_member_may_not_sign_is_refused_and_nothing_signed(
    member, agreement, role, side, code
):
    seen = fingerprint(latest_version(agreement))

    answer = signed_in_client(member(role)).post(
        f"/sla/{agreement.pk}/sign/", {"side": side, "fingerprint": seen}
    )

    assert answer.status_code == code
    assert answer.context["sign_error"]
    assert answer.context["sign_error"] in text(answer)
    assert not Signature.objects.exists()


def test_a_sign_without_the_fingerprint_read_is_refused(managers, agreement):
    answer = signed_in_client(managers[0]).post(f"/sla/{agreement.pk}/sign/", {"side": "marketing"})

    assert answer.status_code == 400
    assert not Signature.objects.exists()


# --- edit and amend ---


def test_editing_a_draft_changes_its_terms_and_withdraws_its_signatures(managers, agreement):
    agreement_sign(agreement=agreement, membership=managers[0], side="marketing")
    client = signed_in_client(managers[1])

    form_page = client.get(f"/sla/{agreement.pk}/edit/")
    answer = client.post(f"/sla/{agreement.pk}/edit/", {**FORM, "decision_days": "3",
                                                       "channel_social": ""})  # fmt: skip

    assert "withdraws the signatures" in text(form_page)
    assert "Mia Marketing" in text(form_page)
    assert form_page.context["form"].initial["acceptance_rate"] == 70  # shown plain, not 70.00
    assert answer.status_code == 302
    version = latest_version(agreement)
    assert (version.decision_days, version.channel_mqls) == (3, {"paid_search": 50})
    assert not Signature.objects.exists()


def test_a_bad_edit_comes_back_with_the_fields_error_and_changes_nothing(managers, agreement):
    agreement_sign(agreement=agreement, membership=managers[0], side="marketing")
    before = latest_version(agreement).terms()

    answer = signed_in_client(managers[1]).post(
        f"/sla/{agreement.pk}/edit/", {**FORM, "attempts": "51"}
    )

    assert answer.status_code == 400
    assert "less than or equal to 50" in answer.context["form"].errors["attempts"][0]
    assert latest_version(agreement).terms() == before
    assert Signature.objects.count() == 1  # not withdrawn


def test_an_agreement_in_force_is_amended_with_a_reason_and_both_versions_stay_readable(
    managers, agreement
):
    sign_both(agreement, managers)
    client = signed_in_client(managers[0])

    assert client.get(f"/sla/{agreement.pk}/edit/")["Location"] == f"/sla/{agreement.pk}/amend/"
    refused = client.post(f"/sla/{agreement.pk}/amend/", {**FORM, "mqls_per_month": "150"})
    answer = client.post(
        f"/sla/{agreement.pk}/amend/",
        {**FORM, "mqls_per_month": "150", "reason": "A new channel from April"},
    )

    assert refused.status_code == 400
    assert refused.context["form"].errors["reason"] == ["This field is required."]
    assert answer.status_code == 302
    old, new = versions(agreement)
    assert (old.in_force_at is not None, new.in_force_at, new.mqls_per_month) == (True, None, 150)
    page = words(client.get(f"/sla/{agreement.pk}/"))
    assert "Version 1 in force; version 2 awaits signatures" in page
    assert "Why it changed: A new channel from April" in page
    assert page.index("150 MQLs a month") < page.index("120 MQLs a month")  # newest first
    assert "Sam Sales" in page  # version 1's signatures stay readable


def test_a_draft_cannot_be_amended_it_is_edited(managers, agreement):
    answer = signed_in_client(managers[0]).post(
        f"/sla/{agreement.pk}/amend/", {**FORM, "reason": "why"}
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"/sla/{agreement.pk}/edit/"
    assert len(versions(agreement)) == 1


def test_the_agreement_page_reads_a_fixed_number_of_queries(
    managers, agreement, django_assert_max_num_queries
):
    client = signed_in_client(managers[0])
    # The session, user and memberships; the agreement, its versions and their signatures;
    # the channels' names.
    with django_assert_max_num_queries(8) as one:
        client.get(f"/sla/{agreement.pk}/")
    for n in range(3):
        sign_both(agreement, managers)
        agreement_amend(
            agreement=agreement, by=None, reason=f"change {n}", terms={"attempts": n + 1}
        )

    with django_assert_max_num_queries(len(one.captured_queries)):
        answer = client.get(f"/sla/{agreement.pk}/")

    assert words(answer).count("MQLs a month") >= 4


# --- the business calendar ---

CALENDAR = {"time_zone": "Europe/Rome", "working_days": ["1", "2", "3", "4", "5"],
            "day_start": "09:00", "day_end": "18:00", "holidays_country": "IT",
            "extra_holidays": "2027-08-16\n2027-12-24"}  # fmt: skip


def test_a_manager_sets_the_calendar_and_sees_the_coming_holidays(managers, org):
    client = signed_in_client(managers[1])

    answer = client.post("/sla/calendar/", CALENDAR)

    assert answer.status_code == 302
    calendar = BusinessCalendar.objects.get(organization=org)
    assert (calendar.time_zone, calendar.working_days) == ("Europe/Rome", [1, 2, 3, 4, 5])
    assert (calendar.day_start, calendar.day_end) == (time(9), time(18))
    assert calendar.extra_holidays == [date(2027, 8, 16), date(2027, 12, 24)]
    page = client.get("/sla/calendar/")
    assert "Monday to Friday" in words(page)
    assert "Italy" in words(page)
    assert "public holiday" in words(page)
    assert 'type="time"' in text(page)
    assert 'value="09:00"' in text(page)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"working_days": []}, "working_days", "Name at least one working day."),
        ({"working_days": ["8"]}, "working_days", "Select a valid choice"),
        ({"day_start": "25:00"}, "day_start", "Enter a valid time"),
        ({"day_end": "08:00"}, "day_end", "A working day ends after it starts."),
        ({"day_end": "09:30"}, "day_end", "A working day lasts at least an hour."),
        ({"day_end": "18:00:01"}, "day_end", "Give working hours to the minute"),
        ({"time_zone": "localtime"}, "time_zone", "Select a valid choice"),
        ({"holidays_country": "XX"}, "holidays_country", "Select a valid choice"),
        ({"holidays_country": "UK"}, "holidays_country", "Select a valid choice"),
        ({"extra_holidays": "20270816"}, "extra_holidays", "«20270816» is not a date"),
        (
            {"extra_holidays": "2027-08-16\nnext friday"},
            "extra_holidays",
            "«next friday» is not a date",
        ),
        ({"extra_holidays": "2199-01-01"}, "extra_holidays", "Enter a date from"),
    ],
)
def test_a_bad_calendar_comes_back_with_the_fields_error_and_saves_nothing(
    managers, org, given, field, message
):
    calendar_update(organization=org, time_zone="UTC", working_days=[1, 2, 3], day_start=time(8),
                    day_end=time(16))  # fmt: skip

    answer = signed_in_client(managers[0]).post("/sla/calendar/", {**CALENDAR, **given})

    assert answer.status_code == 400
    assert any(message in e for e in answer.context["form"].errors[field])
    assert message in text(answer)
    calendar = BusinessCalendar.objects.get(organization=org)
    assert (calendar.time_zone, calendar.working_days, calendar.extra_holidays) == (
        "UTC",
        [1, 2, 3],
        [],
    )


def test_a_week_too_thin_for_the_agreement_is_refused_above_the_form(managers, org):
    agreement_create(organization=org, by=None, first_month=date(2027, 1, 1),
                     terms={"mqls_per_month": 10, "first_touch_hours": "720"})  # fmt: skip
    thin = {**CALENDAR, "working_days": ["1"], "day_end": "10:00"}

    answer = signed_in_client(managers[0]).post("/sla/calendar/", thin)

    assert answer.status_code == 400
    assert any("720 business hours" in e for e in answer.context["form"].non_field_errors())
    assert "720 business hours" in text(answer)
    assert not BusinessCalendar.objects.filter(organization=org).exists()


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.LEADERSHIP])
def test_readers_read_the_calendar_but_cannot_change_it(member, role):
    client = signed_in_client(member(role))

    page = client.get("/sla/calendar/")
    refused = client.post("/sla/calendar/", CALENDAR)

    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Monday to Friday" in words(page)
    assert "UTC" in words(page)
    assert refused.status_code == 403
    assert not BusinessCalendar.objects.exists()


def test_the_sidebar_links_the_agreements_and_the_calendar(client_as):
    page = text(client_as(Role.SALES_REP).get("/sla/"))

    assert 'href="/sla/"' in page
    assert 'href="/sla/calendar/"' in page
