"""The alignment index end to end: March 2025's pulse beside the SLA's scorecard of that month
(four MQLs, their figures worked out by hand in tests/sla/compliance_history.py) and the
objectives covering it; each part shown with its value, weight and source; a part without
data left out; and the demo organisation's pulse history."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from objectives.models import Objective, Owner, Status
from orgs.demo import seed_demo_organizations
from orgs.models import Membership, Organization, Role
from reviews.models import Pulse, PulseAnswer
from reviews.pulse import STATEMENTS
from reviews.services.pulse import pulse_answer, pulse_open
from tests.conftest import signed_in_client, token_client
from tests.sla.compliance_history import ROME, four_mqls, text_of

pytestmark = pytest.mark.django_db

OPENED = datetime(2025, 3, 2, 10, tzinfo=ROME)


def answer(pulse, membership, value):
    pulse_answer(pulse=pulse, membership=membership, scores=dict.fromkeys(STATEMENTS, value),
                 comment="", now=OPENED.replace(day=3))  # fmt: skip


def objective(org, title, *, shared, status, owners):
    made = Objective.objects.create(
        organization=org, title=title, metric="won_revenue", target=Decimal(1000),
        first_month=date(2025, 1, 1), last_month=date(2025, 6, 1), shared=shared, status=status,
    )  # fmt: skip
    for membership, weight in owners:
        Owner.objects.create(organization=org, objective=made, membership=membership,
                             weight=Decimal(weight))  # fmt: skip


@pytest.fixture
def march(org, member):
    """four_mqls in March 2025; March's pulse answered by three marketing managers (all 2:
    a score of 75) and the sales manager with the two reps (all 3: 50); a shared objective
    on track owned by marketing (30 %) and sales (40 %), and sales' own off track (30 %)."""
    four_mqls(org, member, first_month=date(2025, 1, 1), monday=date(2025, 3, 3))
    marketing = list(Membership.objects.filter(organization=org, role=Role.MARKETING_MANAGER))
    marketing += [member(Role.MARKETING_MANAGER), member(Role.MARKETING_MANAGER)]
    sales = list(Membership.objects.filter(organization=org, role__in=[Role.SALES_MANAGER,
                                                                      Role.SALES_REP]))  # fmt: skip
    pulse = pulse_open(organization=org, now=OPENED)
    for membership in marketing:
        answer(pulse, membership, 2)
    for membership in sales:
        answer(pulse, membership, 3)
    manager = next(m for m in sales if m.role == Role.SALES_MANAGER)
    objective(org, "Revenue together", shared=True, status=Status.ON_TRACK,
              owners=[(marketing[0], 30), (manager, 40)])  # fmt: skip
    objective(org, "Sales' own", shared=False, status=Status.OFF_TRACK, owners=[(manager, 30)])
    return pulse


def test_the_index_of_march_combines_the_pulse_with_what_was_measured(march, member):
    found = token_client(member(Role.LEADERSHIP)).get(f"/api/v1/pulse/{march.pk}/").json()

    parts = {p["part"]: p for p in found["index"]["parts"]}
    assert found["teams"]["marketing"]["score"] == "75"
    assert found["teams"]["sales"]["score"] == "50"
    assert parts["pulse"]["value"] == "0.625"  # both teams, counting the same
    assert parts["sla_marketing"]["value"] == "1"  # 4 delivered of 4 committed
    # Touched in time 50 %, attempts 75 %, decided in time 50 %: their mean.
    assert parts["sla_sales"]["value"] == "0.5833"
    assert parts["acceptance"]["value"] == "0.5"  # 1 accepted of 2 decided
    assert parts["incentives"]["value"] == "0.7"  # 70 of the 100 weight on the shared one
    assert parts["on_track"]["value"] == "0.5"  # one on track, one off track
    assert {p["weight"] for p in parts.values()} == {"0.25", "0.15"}
    assert all(p["weight_used"] == p["weight"] for p in parts.values())
    # 0.25 x 0.625 + 0.15 x (1 + 0.5833 + 0.5 + 0.7 + 0.5) = 0.64875 -> 64.9
    assert found["index"]["score"] == "64.9"
    assert found["index"]["period"] == "2025-03-01"


def test_the_page_shows_each_part_with_its_value_weight_and_source(march, member):
    page = signed_in_client(member(Role.SALES_REP)).get(f"/reviews/pulse/{march.pk}/")

    assert page.status_code == 200
    assert text_of(page, "index-score") == "64.9 / 100"
    assert text_of(page, "part-sla_sales").startswith(
        "Sales keeps the SLA 58.3% 15% SLA compliance"
    )
    assert text_of(page, "part-pulse").startswith("The pulse 62.5% 25% Alignment pulse")
    assert text_of(page, "part-incentives").startswith(
        "Incentive weight on shared objectives 70.0% 15% Shared objectives"
    )
    assert 'href="/sla/compliance/?month=2025-03"' in page.content.decode()
    assert 'href="/objectives/?first_month=2025-03&amp;last_month=2025-03"' in page.content.decode()
    assert "weighted mean of the parts" in text_of(page, "how-computed")
    assert text_of(page, "score-marketing") == "75.0 / 100"


def test_parts_without_data_are_said_so_and_the_index_stands_on_the_rest(org, member):
    teams = [member(Role.MARKETING_MANAGER) for _ in range(3)]
    pulse = pulse_open(organization=org, now=OPENED)
    for membership in teams:
        answer(pulse, membership, 1)

    found = token_client(teams[0]).get(f"/api/v1/pulse/{pulse.pk}/").json()
    page = signed_in_client(teams[0]).get(f"/reviews/pulse/{pulse.pk}/")

    parts = {p["part"]: p for p in found["index"]["parts"]}
    assert parts["pulse"] == {"part": "pulse", "value": "1", "weight": "0.25", "weight_used": "1"}
    assert all(parts[c]["value"] is None and parts[c]["weight_used"] == "0"
               for c in ("sla_marketing", "sla_sales", "acceptance", "incentives", "on_track"))  # fmt: skip
    assert found["index"]["score"] == "100"
    assert text_of(page, "part-acceptance").startswith("MQLs accepted by sales no data 15%")
    assert "Sales decided on no MQL" in text_of(page, "part-acceptance")
    assert text_of(page, "part-pulse").startswith("The pulse 100.0% 25% (100.0% here)")


def test_the_index_with_no_pulse_closed_is_of_the_current_period(org, member):
    reader = member(Role.LEADERSHIP)

    found = token_client(reader).get("/api/v1/pulse/").json()
    page = signed_in_client(reader).get("/reviews/pulse/")

    assert found["latest"] is None
    assert found["open"] is None
    assert found["index"]["score"] is None
    assert text_of(page, "index-score") == "no data"
    assert text_of(page, "no-results").startswith("No pulse has closed yet")


def test_the_demo_has_a_trend_of_six_months_and_this_month_s_pulse_open(client):
    seed_demo_organizations()
    demo = Organization.objects.get(slug="demo")
    leader = Membership.objects.get(organization=demo, user__username="leader")

    found = token_client(leader).get("/api/v1/pulse/").json()
    page = signed_in_client(leader).get("/reviews/pulse/")

    assert Pulse.objects.for_org(demo).count() == 7
    assert found["open"] is not None
    assert found["open"]["answers"] == {"marketing": 0, "sales": 0}
    assert len(found["trend"]) == 6
    hidden = [t for t in found["trend"] if t["teams"]["marketing"]["score"] is None]
    assert [t["teams"]["marketing"]["answers"] for t in hidden] == [2]
    assert all(t["teams"]["sales"]["score"] is not None for t in found["trend"])
    first, last = found["trend"][0], found["trend"][-1]
    assert Decimal(last["teams"]["sales"]["score"]) > Decimal(first["teams"]["sales"]["score"])
    assert found["index"]["score"] is not None
    assert page.status_code == 200
    assert 'data-testid="trend-chart"' in page.content.decode()
    assert PulseAnswer.objects.for_org(demo).count() == 6 * 9 - 2
    seed_demo_organizations()  # again: nothing added
    assert Pulse.objects.for_org(demo).count() == 7
