"""The objectives' pages: the joint scorecard and its export, the editor and its live SMART
check, an objective's page with its split and delete, the proposals from a plan, a rep's
targets on their home; who may see and do what, and another organisation's ids."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from crm.selectors import channel_by_code, related_choices
from funnel.services import plan_activate, plan_create
from objectives.models import Objective, Owner, RepTarget, Snapshot
from objectives.services import Draft, objective_create, objective_split
from orgs.models import Role
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory, OrganizationFactory
from tests.objectives.conftest import TODAY

pytestmark = pytest.mark.django_db
EDITORS = [Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.ADMIN]
READERS = [Role.LEADERSHIP, Role.SALES_REP]
YEAR = "?first_month=2026-01&last_month=2026-12"


def make(org, *, title="Won revenue H2", metric="won_revenue", target="500000", owners=(),
         first=date(2026, 7, 1), last=date(2026, 12, 1), **fields):  # fmt: skip
    draft = Draft(
        title=title, metric=metric, target=Decimal(target), first_month=first, last_month=last,
        owners=[(m, Decimal(w)) for m, w in owners], **fields,
    )  # fmt: skip
    return objective_create(organization=org, by=None, draft=draft, today=TODAY)


@pytest.fixture
def shared(history, teams):
    """Won revenue for the second half of 2026, owned by both managers."""
    return make(history, owners=[(teams["marketing"], "20"), (teams["sales"], "30")])


def text(answer) -> str:
    return answer.content.decode()


def form(teams, **change):
    """The editor's fields for a shared objective on MQLs, owned by both managers."""
    data = {
        "title": "MQLs in the first half",
        "metric": "mqls",
        "target": "300",
        "direction": "",
        "first_month": "2027-01",
        "last_month": "2027-06",
        "channel": "", "campaign": "", "persona": "", "product": "", "plan": "",
        "owners-TOTAL_FORMS": "3", "owners-INITIAL_FORMS": "0",
        "owners-MIN_NUM_FORMS": "0", "owners-MAX_NUM_FORMS": "20",
        "owners-0-member": str(teams["marketing"].pk), "owners-0-weight": "25",
        "owners-1-member": str(teams["sales"].pk), "owners-1-weight": "15",
        "owners-2-member": "", "owners-2-weight": "",
    }  # fmt: skip
    return data | change


# --- the scorecard ---


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_scorecard_in_words_and_money(shared, member, role):
    answer = signed_in_client(member(role)).get(f"/objectives/{YEAR}")

    page = text(answer)
    assert answer.status_code == 200
    assert 'data-testid="group-shared"' in page
    assert "Won revenue H2" in page
    assert "<td>Won revenue<br>" in page  # the metric's name, not its code
    assert "€500,000" in page  # the target in the organisation's currency
    assert "Jul\u00a02026 – Dec\u00a02026" in page  # months by name, each on one line
    assert re.search(r'data-testid="status">(On track|At risk|Off track|Achieved)<', page)
    assert 'data-testid="shared-mark"' in page
    assert "(20%)" in page
    assert "(30%)" in page
    assert ("New objective" in page) == (role in EDITORS)


def test_the_scorecard_says_each_teams_share_on_shared_objectives(history, teams):
    make(history, owners=[(teams["marketing"], "20"), (teams["sales"], "30")])
    make(
        history,
        title="Marketing leads",
        metric="leads",
        target="2000",
        owners=[(teams["marketing"], "60")],
    )

    page = text(signed_in_client(teams["lead"]).get(f"/objectives/{YEAR}"))

    marketing = re.search(r'data-testid="team-marketing">.*?<strong>(.*?)</strong>', page, re.S)
    sales = re.search(r'data-testid="team-sales">.*?<strong>(.*?)</strong>', page, re.S)
    assert marketing.group(1) == "25%"  # 20 of its 80 points
    assert sales.group(1) == "100%"
    assert page.index('data-testid="group-shared"') < page.index('data-testid="group-marketing"')


def test_the_default_period_is_this_calendar_year(org, teams):
    year = timezone.localdate().year
    make(org, title="This year", first=date(year, 3, 1), last=date(year, 5, 1))
    make(org, title="Last year", first=date(year - 1, 3, 1), last=date(year - 1, 5, 1))

    page = text(signed_in_client(teams["rep"]).get("/objectives/"))

    assert "This year" in page
    assert "Last year" not in page


def test_the_scorecard_filters_like_the_api(history, teams):
    make(history, owners=[(teams["marketing"], "20"), (teams["sales"], "30")])
    make(
        history,
        title="Marketing leads",
        metric="leads",
        target="2000",
        owners=[(teams["marketing"], "60")],
    )
    make(history, title="Nobody's", metric="sqls", target="100")
    client = signed_in_client(teams["lead"])

    only_shared = text(client.get(f"/objectives/{YEAR}&shared=true"))
    not_shared = text(client.get(f"/objectives/{YEAR}&shared=false"))
    of_sales = text(client.get(f"/objectives/{YEAR}&owner={teams['sales'].pk}"))
    fragment = client.get(f"/objectives/{YEAR}&shared=true", HTTP_HX_REQUEST="true")

    assert "Won revenue H2" in only_shared
    assert "Marketing leads" not in only_shared
    assert "Won revenue H2" not in not_shared
    assert "Nobody&#x27;s" in not_shared
    assert "Won revenue H2" in of_sales
    assert "Marketing leads" not in of_sales
    assert "<html" not in text(fragment)
    assert "Won revenue H2" in text(fragment)


def test_a_bad_period_is_a_400_naming_it(org, teams):
    answer = signed_in_client(teams["lead"]).get("/objectives/?first_month=2026-13")

    assert answer.status_code == 400
    assert 'class="field has-error"' in text(answer)


def test_the_scorecard_reads_a_fixed_number_of_queries(
    history, teams, django_assert_max_num_queries
):
    client = signed_in_client(teams["marketing"])
    event = channel_by_code(history, "event")
    make(history, owners=[(teams["marketing"], "20"), (teams["sales"], "30")], channel=event)
    client.get(f"/objectives/{YEAR}")
    # session, member, switcher; members for the filter; objectives, owners, rep targets;
    # channel names; plans to propose from
    with django_assert_max_num_queries(12) as one:
        client.get(f"/objectives/{YEAR}")
    for i in range(6):
        make(history, title=f"Leads {i}", metric="leads", target="100", channel=event,
             owners=[(teams["rep"], "5")])  # fmt: skip

    with CaptureQueriesContext(connection) as more:
        page = text(client.get(f"/objectives/{YEAR}"))

    assert len(more) == len(one.captured_queries)
    assert page.count('data-testid="objective-row"') == 7


# --- exports ---


def test_the_scorecard_exports_as_csv_and_xlsx_with_formulas_neutralised(history, teams):
    make(history, title="=HYPERLINK(\"http://evil\")", owners=[(teams["marketing"], "20"),
                                                               (teams["sales"], "30")])  # fmt: skip
    client = signed_in_client(teams["lead"])

    answer = client.get(f"/objectives/export.csv{YEAR}")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(client.get(f"/objectives/export.xlsx{YEAR}").content))
    sheet = list(book.active.iter_rows(values_only=True))

    assert answer.status_code == 200
    assert rows[0][:3] == ["Group", "Objective", "Metric"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][2] == "Won revenue"
    assert rows[1][4] == "Jul 2026 – Dec 2026"
    assert rows[1][6] == "EUR"
    assert rows[1][7] == "500000.00"
    assert rows[1][12] == "yes"
    assert sheet[1][1] == '\'=HYPERLINK("http://evil")'
    assert sheet[1][7] == 500000
    assert client.get("/objectives/export.pdf").status_code == 404


# --- the editor and its check ---


@pytest.mark.parametrize("role", EDITORS)
def test_editors_open_the_editor(org, member, role):
    objective = make(org)
    client = signed_in_client(member(role))

    new = client.get("/objectives/new/")
    edit = client.get(f"/objectives/{objective.pk}/edit/")

    assert new.status_code == 200
    assert edit.status_code == 200
    assert 'type="month"' in text(new)
    assert '<option value="won_revenue" selected>Won revenue</option>' in text(edit)
    assert 'value="2026-07"' in text(edit)
    assert 'value="500000"' in text(edit)  # not 500000.00, nor 5E+5
    assert 'hx-post="/objectives/check/"' in text(new)
    assert 'hx-trigger="input changed delay:400ms' in text(new)


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_write(org, member, teams, role):
    objective = make(org)
    client = signed_in_client(member(role))

    answers = [
        client.get("/objectives/new/"),
        client.post("/objectives/new/", form(teams)),
        client.get(f"/objectives/{objective.pk}/edit/"),
        client.post(f"/objectives/{objective.pk}/split/", {"method": "equal"}),
        client.post(f"/objectives/{objective.pk}/delete/"),
        client.post("/objectives/from-plan/", {"plan": "1"}),
    ]

    assert [a.status_code for a in answers] == [403] * 6
    assert Objective.objects.count() == 1
    assert not RepTarget.objects.exists()


def test_another_organisations_objective_is_a_404(org, teams):
    elsewhere = make(OrganizationFactory(name="Other", slug="other"))
    client = signed_in_client(teams["marketing"])

    answers = [
        client.get(f"/objectives/{elsewhere.pk}/"),
        client.get(f"/objectives/{elsewhere.pk}/edit/"),
        client.post(f"/objectives/{elsewhere.pk}/edit/", form(teams)),
        client.post(f"/objectives/{elsewhere.pk}/split/", {"method": "equal"}),
        client.post(f"/objectives/{elsewhere.pk}/delete/"),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert Objective.objects.get(pk=elsewhere.pk).title == "Won revenue H2"


def test_an_objective_is_made_from_the_editor(history, teams):
    client = signed_in_client(teams["marketing"])

    answer = client.post("/objectives/new/", form(teams))

    objective = Objective.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/objectives/{objective.pk}/"
    assert objective.shared
    assert objective.metric == "mqls"
    assert objective.target == 300
    assert objective.smart["achievable"]["ok"] in (True, False)
    assert sorted(Owner.objects.values_list("membership_id", "weight")) == sorted(
        [(teams["marketing"].pk, Decimal(25)), (teams["sales"].pk, Decimal(15))]
    )


def test_an_objective_is_edited_from_the_editor(shared, teams):
    client = signed_in_client(teams["sales"])
    change = {"title": "Revenue, raised", "metric": "won_revenue", "target": "650000",
              "first_month": "2026-07", "last_month": "2026-12", "owners-1-weight": "35"}  # fmt: skip

    answer = client.post(f"/objectives/{shared.pk}/edit/", form(teams, **change))

    shared.refresh_from_db()
    assert answer.status_code == 302
    assert (shared.title, shared.target) == ("Revenue, raised", Decimal(650000))
    assert Owner.objects.get(objective=shared, membership=teams["sales"]).weight == 35


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"target": "abc"}, "target", "Enter a number."),
        ({"target": "12.5"}, "target", "counted in whole numbers"),
        ({"last_month": "2026-12"}, "last_month", "ends before it starts"),
        ({"owners-1-weight": "150"}, "owner-1", "less than or equal to 100"),
        ({"owners-1-weight": ""}, "owner-1", "0 to 100 %"),
        ({"owners-1-member": "999999"}, "owner-1", "Select a valid choice"),
        ({"owners-1-member": "", "owners-1-weight": ""}, None, None),  # one owner: fine
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(
    org, teams, change, where, message
):
    client = signed_in_client(teams["marketing"])

    answer = client.post("/objectives/new/", form(teams, **change))

    if where is None:
        assert answer.status_code == 302
        return
    page = text(answer)
    assert answer.status_code == 400
    assert message in page
    block = _block(page, where)
    assert "has-error" in block
    assert message in block
    assert not Objective.objects.exists()


def _block(page: str, where: str) -> str:
    """The part of the page that holds a field's errors: its field, or the owner row."""
    if where.startswith("owner-"):
        rows = page.split('<div class="owner-row')
        return rows[int(where.split("-")[1]) + 1]
    start = page.index(f'id="id_{where}"')
    return page[page.rfind('<div class="field', 0, start) : page.index("</div>", start)]


def test_two_scopes_are_refused_beside_the_scope(history, teams):
    change = {"channel": "event", "product": ""}
    campaign = related_choices("campaign", history).first()
    client = signed_in_client(teams["marketing"])

    answer = client.post("/objectives/new/", form(teams, **change, campaign=str(campaign.pk)))

    page = text(answer)
    assert answer.status_code == 400
    scope = page[page.index('data-testid="scope"') : page.index("</fieldset>")]
    assert "Name one scope" in scope
    assert not Objective.objects.exists()


def test_a_weight_past_100_percent_in_a_month_is_shown_beside_the_owner_and_nothing_changes(
    shared, teams
):
    """The sales manager carries 30 % on the shared objective from July: 75 % more in
    2026's last quarter would be 105 %."""
    client = signed_in_client(teams["marketing"])
    change = {"first_month": "2026-10", "last_month": "2026-12", "owners-1-weight": "75"}

    answer = client.post("/objectives/new/", form(teams, **change))

    page = text(answer)
    assert answer.status_code == 400
    row = _block(page, "owner-1")
    assert "already carries 30 % of their incentive in Oct 2026: with 75 % it would be 105 %" in row
    assert Objective.objects.count() == 1
    assert Owner.objects.filter(objective=shared).count() == 2


def test_a_refused_edit_changes_nothing(shared, teams):
    client = signed_in_client(teams["marketing"])

    answer = client.post(f"/objectives/{shared.pk}/edit/", form(teams, target="12.5"))

    shared.refresh_from_db()
    assert answer.status_code == 400
    assert (shared.title, shared.metric, shared.target) == ("Won revenue H2", "won_revenue", 500000)
    assert Owner.objects.filter(objective=shared).count() == 2


def test_owner_rows_are_added_and_removed_in_place(org, teams):
    client = signed_in_client(teams["marketing"])

    added = client.post("/objectives/new/", form(teams, add="1"), HTTP_HX_REQUEST="true")
    removed = client.post("/objectives/new/", form(teams, remove="0"), HTTP_HX_REQUEST="true")

    assert text(added).count('data-testid="owner-row"') == 4
    assert "<html" not in text(added)
    assert added["HX-Trigger"] == "owners-changed"
    assert text(removed).count('data-testid="owner-row"') == 2
    assert f'<option value="{teams["sales"].pk}" selected>' in text(removed)
    assert not Objective.objects.exists()


def test_the_check_shows_the_five_letters_as_one_types(history, teams):
    client = signed_in_client(teams["marketing"])

    answer = client.post("/objectives/check/", form(teams), HTTP_HX_REQUEST="true")

    page = text(answer)
    assert answer.status_code == 200
    for name in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        assert f'data-testid="letter-{name}"' in page
    assert ">S<" in page
    assert ">T<" in page
    assert "MQLs" in page or "Marketing-qualified" in page
    assert "chance of reaching it" in page
    assert re.search(r"<strong>\d+%</strong>", page)  # the probability as a percentage
    assert 'data-testid="shared"' in page
    assert "Owned by marketing and sales together" in page
    assert not Objective.objects.exists()


def test_the_check_says_what_is_missing_before_it_can_check(org, teams):
    client = signed_in_client(teams["marketing"])

    answer = client.post("/objectives/check/", form(teams, target=""), HTTP_HX_REQUEST="true")

    assert answer.status_code == 200  # htmx swaps it in
    assert 'data-testid="check-waiting"' in text(answer)
    assert "Target" in text(answer)


def test_the_check_of_money_reads_in_the_organisations_currency(history, teams):
    client = signed_in_client(teams["sales"])
    body = form(teams, metric="won_revenue", target="480000", first_month="2026-07",
                last_month="2026-12")  # fmt: skip

    page = text(client.post("/objectives/check/", body, HTTP_HX_REQUEST="true"))

    assert "€480,000" in page
    assert "Jul 2026" in page
    assert "Dec 2026" in page


# --- an objective's page ---


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_an_objective(shared, member, role):
    answer = signed_in_client(member(role)).get(f"/objectives/{shared.pk}/")

    page = text(answer)
    assert answer.status_code == 200
    for testid in ("progress", "objective-chart", "smart-check", "owners", "rep-targets"):
        assert f'data-testid="{testid}"' in page, testid
    assert "€500,000" in page
    assert 'data-testid="as-of"' in page
    assert "vendor/plotly.min.js" in page
    assert ("split-form" in page) == (role in EDITORS)
    assert ("delete-objective" in page) == (role in EDITORS)


def test_an_objective_page_draws_its_weekly_history_against_the_expected_line(shared, teams):
    Snapshot.objects.create(organization=shared.organization, objective=shared,
                            week=date(2026, 11, 2), actual=100000, expected=150000,
                            projected=300000, status="off_track")  # fmt: skip

    page = text(signed_in_client(teams["rep"]).get(f"/objectives/{shared.pk}/"))

    chart = re.search(r'<script id="objective-chart" type="application/json">(.*?)</script>', page)
    assert chart
    assert "Expected by then" in chart.group(1)
    assert "2 Nov 2026" in chart.group(1)
    assert "\\u20ac100,000" in chart.group(1) or "€100,000" in chart.group(1)


def test_a_sales_objective_is_split_into_rep_targets(shared, teams, member):
    other_rep = member(Role.SALES_REP)
    client = signed_in_client(teams["sales"])

    answer = client.post(
        f"/objectives/{shared.pk}/split/",
        {"method": "equal", "members": [teams["rep"].pk, other_rep.pk]},
    )

    assert answer.status_code == 302
    assert sorted(RepTarget.objects.values_list("target", flat=True)) == [250000, 250000]
    page = text(client.get(f"/objectives/{shared.pk}/"))
    assert page.count('data-testid="rep-target"') == 2
    assert "€250,000" in page


def test_a_refused_split_is_explained_and_keeps_the_rep_targets(shared, teams):
    objective_split(objective=shared, method="equal", today=TODAY)
    client = signed_in_client(teams["sales"])

    answer = client.post(f"/objectives/{shared.pk}/split/",
                         {"method": "weights", "members": [teams["rep"].pk]})  # fmt: skip

    assert answer.status_code == 400
    assert 'data-testid="split-error"' in text(answer)
    assert "Give a positive weight" in text(answer)
    assert RepTarget.objects.filter(objective=shared).count() == 1


def test_a_rate_is_not_split(history, teams):
    rate = make(history, title="Win rate", metric="win_rate", target="30")
    client = signed_in_client(teams["sales"])

    page = text(client.get(f"/objectives/{rate.pk}/"))
    answer = client.post(f"/objectives/{rate.pk}/split/", {"method": "equal"})

    assert "split-form" not in page
    assert "30.0%" in page  # a rate as a percentage
    assert answer.status_code == 400
    assert not RepTarget.objects.exists()


def test_an_objective_is_deleted(shared, teams):
    client = signed_in_client(teams["marketing"])

    answer = client.post(f"/objectives/{shared.pk}/delete/", follow=True)

    assert answer.redirect_chain[-1][0] == "/objectives/"
    assert "deleted" in text(answer)
    assert not Objective.objects.exists()


# --- from a plan ---


def test_objectives_are_proposed_from_a_plan(history, teams):
    plan = plan_create(
        organization=history, by=None, name="FY2027", first_month=date(2027, 1, 1),
        last_month=date(2027, 12, 1),
        inputs={"revenue_goal": "900000", "average_deal_size": "10000",
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"]},
    )  # fmt: skip
    plan_activate(plan=plan)
    client = signed_in_client(teams["sales"])
    assert "FY2027 v1" in text(client.get("/objectives/"))

    answer = client.post("/objectives/from-plan/", {"plan": plan.pk}, follow=True)
    again = client.post("/objectives/from-plan/", {"plan": plan.pk}, follow=True)

    made = Objective.objects.filter(plan=plan).count()
    assert made >= 3
    assert f"{made} objectives proposed from FY2027 v1" in text(answer)
    assert answer.redirect_chain[-1][0] == "/objectives/?first_month=2027-01&last_month=2027-12"
    assert "nothing more to propose" in text(again)
    assert Objective.objects.filter(plan=plan).count() == made


@pytest.mark.parametrize("plan", ["", "abc", "99999999", "12345678901234567890"])
def test_proposing_from_no_such_plan_is_a_400(org, teams, plan):
    elsewhere = plan_create(
        organization=OrganizationFactory(slug="else"), by=None, name="Theirs",
        first_month=date(2027, 1, 1), last_month=date(2027, 12, 1),
        inputs={"revenue_goal": "900000", "average_deal_size": "10000",
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"]},
    )  # fmt: skip
    client = signed_in_client(teams["marketing"])

    answers = [client.post("/objectives/from-plan/", {"plan": p}) for p in (plan, elsewhere.pk)]

    assert [a.status_code for a in answers] == [400, 400]
    assert 'data-testid="from-plan-error"' in text(answers[0])
    assert not Objective.objects.exists()


# --- a rep's home ---


def test_a_rep_sees_their_targets_on_their_home(shared, teams):
    objective_split(objective=shared, method="equal", today=TODAY, members=[teams["rep"]])

    page = text(signed_in_client(teams["rep"]).get("/"))
    manager_page = text(signed_in_client(teams["sales"]).get("/"))

    assert 'data-testid="targets"' in page
    assert "Won revenue H2" in page
    assert "€500,000" in page
    assert re.search(
        r'class="badge[^"]*">(On track|At risk|Off track|Achieved|Too early to tell)<', page
    )
    assert 'data-testid="targets"' not in manager_page


def test_a_reps_home_reads_their_targets_in_one_query(
    history, teams, django_assert_max_num_queries
):
    rep = teams["rep"]
    client = signed_in_client(rep)
    client.get("/")
    with django_assert_max_num_queries(30) as before:
        client.get("/")
    for i in range(4):
        objective = make(history, title=f"Target {i}", metric="new_customers", target="40")
        objective_split(objective=objective, method="equal", today=TODAY, members=[rep])

    with CaptureQueriesContext(connection) as after:
        page = text(client.get("/"))

    assert len(after) == len(before.captured_queries)
    assert page.count('data-testid="target"') == 4


def test_a_rep_without_targets_is_told_so(org):
    rep = MembershipFactory(organization=org, role=Role.SALES_REP)

    page = text(signed_in_client(rep).get("/"))

    assert "No objective is split into rep targets for you yet." in page
