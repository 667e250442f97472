"""The alignment pulse in a real browser: a marketing manager answers this month's pulse and
is thanked with no name on her answers; leadership reads last month's results, a team hidden
below three answers, the index with its parts, and the trend drawn by plotly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orgs.models import Role
from reviews.models import PulseAnswer, PulseParticipation
from reviews.pulse import STATEMENTS
from reviews.services.pulse import pulse_answer, pulse_open
from smarketing.lib.months import add_months
from tests.browser.conftest import screenshot, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    """Acme's three marketing managers (Mia among them), its sales manager and two reps, and
    Leo in leadership; last month's pulse answered by all of marketing and two of sales, this
    month's open."""
    org = OrganizationFactory(name="Acme", slug="acme")
    people = {}
    for username, role in [
        ("mia", Role.MARKETING_MANAGER), ("max", Role.MARKETING_MANAGER),
        ("mo", Role.MARKETING_MANAGER), ("sam", Role.SALES_MANAGER), ("rob", Role.SALES_REP),
        ("rita", Role.SALES_REP), ("leo", Role.LEADERSHIP),
    ]:  # fmt: skip
        user = UserFactory(username=username, first_name=username.title(), last_name="Acme")
        people[username] = MembershipFactory(user=user, organization=org, role=role)
    now = timezone.now()
    last_month = add_months(now.date().replace(day=1), -1)
    then = now.replace(year=last_month.year, month=last_month.month, day=2)
    past = pulse_open(organization=org, now=then)
    for username, value, comment in [
        ("mia", 2, "The weekly review helps."), ("max", 3, ""), ("mo", 2, "Sales calls too late."),
        ("sam", 4, "Too many students among the leads."), ("rob", 3, ""),
    ]:  # fmt: skip
        pulse_answer(pulse=past, membership=people[username],
                     scores=dict.fromkeys(STATEMENTS, value) | {"stuck": 1}, comment=comment,
                     now=then + timedelta(hours=2))  # fmt: skip
    pulse_open(organization=org, now=now)
    return org


def test_a_marketing_manager_answers_and_leadership_reads_the_results(page, second_page, acme):
    sign_in(page, "mia")
    page.click(".sidebar a:text('Alignment pulse')")
    form = page.locator("[data-testid=answer-form]")
    form.wait_for()
    page.click("[data-testid=send-answers]")  # nothing chosen: each statement says so
    assert page.locator("[data-testid=statement-overlap] .error").inner_text() == (
        "Choose how much you agree, from 1 to 5."
    )
    assert PulseAnswer.objects.count() == 5
    page.problems.clear()  # the 400 of the form sent empty, on purpose

    for code, value in zip(STATEMENTS, [2, 1, 3, 2, 1], strict=True):
        page.check(f"[data-testid=statement-{code}] input[value='{value}']")
    page.fill("#id_comment", "Half a day with sales taught me more than a month of e-mails.")
    screenshot(page, "pulse-answer")
    with page.expect_navigation():
        page.click("[data-testid=send-answers]")

    assert "your answers are in, with no name on them" in page.inner_text(".messages")
    assert page.locator("[data-testid=answered]").is_visible()
    assert PulseAnswer.objects.count() == 6
    assert PulseParticipation.objects.filter(user__username="mia").count() == 2
    assert page.problems == []

    sign_in(second_page, "leo")
    second_page.goto("/reviews/pulse/")
    second_page.wait_for_selector("[data-testid=trend-chart] .main-svg")  # plotly drew it
    marketing = second_page.inner_text("[data-testid=team-marketing]")
    assert "3 answers" in marketing
    assert "Sales calls too late." in marketing
    assert second_page.inner_text("[data-testid=hidden-sales]") == (
        "2 of 3 answers needed: results are hidden to keep answers anonymous."
    )
    assert "Too many students" not in second_page.content()
    assert second_page.locator("[data-testid=parts] tbody tr").count() == 6
    assert "no data" in second_page.inner_text("[data-testid=part-acceptance]")
    assert second_page.locator("[data-testid=not-asked]").is_visible()
    screenshot(second_page, "pulse-results")

    second_page.set_viewport_size({"width": 390, "height": 844})  # a phone
    second_page.reload()
    second_page.wait_for_selector("[data-testid=trend-chart] .main-svg")
    assert second_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(second_page, "pulse-results-phone")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/reviews/pulse/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert second_page.problems == []
