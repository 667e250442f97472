"""Drift on pages: the plan's page says which stage is at risk and what it costs, in words;
the drift page lists every active plan's and holds the window, which only plan editors
change, within bounds; another organisation's plans stay out of sight."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from funnel.services import plan_create
from orgs.models import Role
from orgs.permissions import Action, can
from reviews.models import DriftSettings, PlanDrift
from reviews.services.drift import drift_settings_update
from tests.conftest import ALL_ROLES
from tests.reviews.conftest import DRIFT_DAY
from tests.reviews.drift_history import INPUTS, active_plan
from tests.sla.compliance_history import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drift_day")]
T = DRIFT_DAY


def stored_row(plan, stage, direction="within", **figures):
    """A drift row as a recompute stores it, for pages that only read them."""
    values = {"assumed": Decimal("0.5"), "measured": Decimal("0.5"), "low": Decimal("0.4"),
              "high": Decimal("0.6"), "sample": 100} | figures  # fmt: skip
    return PlanDrift.objects.create(
        organization=plan.organization, plan=plan, stage=stage, position=0, metric="rate",
        direction=direction, window_days=90, window_start=date(2026, 8, 3),
        window_end=date(2026, 11, 1), computed_at=timezone.now(), **values,
    )  # fmt: skip


def test_the_plans_page_says_which_stage_is_at_risk_and_what_it_costs(measured, client_as):
    page = client_as(Role.LEADERSHIP).get(f"/plans/{measured.pk}/")

    assert page.status_code == 200
    assert text_of(page, "drift-risk") == (
        "At risk: Lead → Marketing-qualified lead converts 30.0% (95% CI 24.1%–36.7%, 200 "
        "leads) against 50.0% assumed, below the assumption; at current rates -40 customers, "
        "-€480,000 revenue."
    )
    table = text_of(page, "drift-table")
    assert "Marketing-qualified lead → Sales-qualified lead" in table
    assert "10.0 days" in table
    assert "too few leads" in table


def test_the_plans_page_in_another_language_writes_its_numbers_so(measured, client_as):
    client = client_as(Role.ADMIN)
    client.post("/i18n/setlang/", {"language": "it", "next": "/"})

    page = client.get(f"/plans/{measured.pk}/")

    assert "30,0%" in text_of(page, "drift-risk")
    assert "480.000" in text_of(page, "drift-risk")


def test_a_plan_not_yet_measured_says_so_and_a_draft_shows_no_drift(org, client_as):
    plan = active_plan(org, date(2027, 1, 1))
    draft = plan_create(organization=org, by=None, name="Draft", first_month=date(2027, 1, 1),
                        last_month=date(2027, 12, 1), inputs=INPUTS)  # fmt: skip
    client = client_as(Role.SALES_REP)

    assert "Not measured yet" in text_of(client.get(f"/plans/{plan.pk}/"), "drift-panel")
    assert b'data-testid="drift-panel"' not in client.get(f"/plans/{draft.pk}/").content


def test_a_plan_on_its_assumptions_says_so(org, client_as):
    plan = active_plan(org, date(2027, 1, 1))
    stored_row(plan, "lead->mql")

    page = client_as(Role.SALES_REP).get(f"/plans/{plan.pk}/")

    assert text_of(page, "drift-fine") == (
        "Every assumption lies within the confidence interval of the cohorts of the last 90 days."
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_drift_page(role, measured, client_as):
    page = client_as(role).get("/reviews/drift/")

    assert page.status_code == 200
    assert text_of(page, "drift-status") == "At risk"
    assert text_of(page, "drift-risk").startswith("At risk: Lead → Marketing-qualified lead")
    assert (b'data-testid="drift-settings-form"' in page.content) == can(role, Action.EDIT_PLANS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_plan_editors_change_the_window(
    role, org, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_as(role).post("/reviews/drift/", {"window_days": "120"})

    if can(role, Action.EDIT_PLANS):
        assert answer.status_code == 302
        assert DriftSettings.objects.for_org(org).get().window_days == 120
    else:
        assert answer.status_code == 403
        assert not DriftSettings.objects.exists()


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("29", "Ensure this value is greater than or equal to 30."),
        ("366", "Ensure this value is less than or equal to 365."),
        ("ninety", "Enter a whole number."),
        ("", "This field is required."),
        ("90.5", "Enter a whole number."),
    ],
)
def test_a_window_out_of_bounds_is_refused_and_the_setting_kept(given, error, org, client_as):
    drift_settings_update(organization=org, by=None, window_days=120)

    answer = client_as(Role.MARKETING_MANAGER).post("/reviews/drift/", {"window_days": given})

    assert answer.status_code == 400
    assert error in text_of(answer, "drift-settings-form")
    assert DriftSettings.objects.for_org(org).get().window_days == 120


def test_the_window_saved_measures_the_plans_again(measured, org, client_as,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_as(Role.SALES_MANAGER).post("/reviews/drift/", {"window_days": "30"})

    assert set(PlanDrift.objects.for_org(org).values_list("window_days", flat=True)) == {30}


def test_another_organisations_plans_stay_out_of_sight(org, other_org, client_as):
    theirs = active_plan(other_org, date(2027, 1, 1), name="Their secret plan")
    stored_row(theirs, "lead->mql", direction="below", low=Decimal("0.1"), high=Decimal("0.2"))
    ours = active_plan(org, date(2027, 1, 1), name="Our plan")
    client = client_as(Role.ADMIN)

    page = client.get("/reviews/drift/")

    assert b"Their secret plan" not in page.content
    assert f'data-plan="{ours.pk}"'.encode() in page.content
    assert client.get(f"/plans/{theirs.pk}/").status_code == 404


def test_the_drift_page_reads_a_fixed_number_of_queries(
    org, client_as, django_assert_max_num_queries
):
    client = client_as(Role.ADMIN)
    plans = [active_plan(org, date(2027, 1, 1), name=f"Plan {i}") for i in range(4)]
    for plan in plans:
        for stage in ("lead->mql", "mql->sql", "sql->opportunity"):
            stored_row(plan, stage, direction="below", low=Decimal("0.1"), high=Decimal("0.2"))

    with django_assert_max_num_queries(8):  # as many for one plan as for four
        page = client.get("/reviews/drift/")

    assert page.content.count(b'data-testid="drift-risk"') == 12
