"""The objectives' REST API: the SMART check letter by letter, writes and their bounds,
proposals from the plan, rep splits, roles and tenant isolation."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest

from funnel.services import plan_activate, plan_create
from objectives.models import Objective, Owner, RepTarget
from objectives.services import objective_split
from orgs.models import Role
from tests.conftest import token_client
from tests.factories import MembershipFactory
from tests.objectives.conftest import TODAY

pytestmark = pytest.mark.django_db

PLAN_INPUTS = {
    "revenue_goal": "1200000",
    "average_deal_size": "10000",
    "stages": ["lead", "mql", "sql", "opportunity", "customer"],
    "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
    "channels": [{"code": "paid_search", "share": "0.5"}, {"code": "social", "share": "0.5"}],
}


@pytest.fixture(autouse=True)
def today():
    with mock.patch("objectives.api._today", return_value=TODAY):
        yield


@pytest.fixture
def plan(history):
    plan = plan_create(
        organization=history, by=None, name="FY2027", first_month=date(2027, 1, 1),
        last_month=date(2027, 12, 1), inputs=PLAN_INPUTS,
    )  # fmt: skip
    return plan_activate(plan=plan)


def body(teams=None, **given):
    owners = (
        [
            {"member": teams["marketing"].pk, "weight": "20"},
            {"member": teams["sales"].pk, "weight": "25"},
        ]
        if teams
        else []
    )
    return {"metric": "won_revenue", "target": "500000", "first_month": "2027-01",
            "last_month": "2027-06", "owners": owners} | given  # fmt: skip


def check(api, **given):
    answer = api.post("/api/v1/objectives/check/", given, format="json")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_the_check_answers_each_letter_with_its_reason(history, teams, plan):
    api = token_client(teams["rep"])  # every member may check

    found = check(api, **body(teams, target="650000"))

    smart = found["smart"]
    assert set(smart) == {"specific", "measurable", "achievable", "relevant", "time_bound"}
    assert all(set(letter) >= {"ok", "reason"} and letter["reason"] for letter in smart.values())
    assert smart["specific"]["ok"] is True
    assert smart["specific"]["reason"] == (
        "Won revenue for the whole organisation: at least €650,000 from Jan 2027 to Jun 2027."
    )
    assert smart["measurable"] == {
        "ok": True, "reason": "Measured from the data of 24 months of the last two years."
    }  # fmt: skip
    assert smart["time_bound"] == {"ok": True, "reason": "6 months, ending in Jun 2027."}
    assert smart["relevant"]["ok"] is True
    assert smart["relevant"]["reason"] == (
        "Serves the plan FY2027 v1, which needs €600,000 in these months."
    )
    assert found["shared"] is True
    assert not Objective.objects.exists()  # a check saves nothing


def test_a_target_many_times_the_best_month_is_unrealistic_with_the_multiple(history, teams):
    api = token_client(teams["marketing"])

    achievable = check(api, **body(target="6000000"))["smart"]["achievable"]

    best = Decimal(achievable["best"])
    assert achievable["ok"] is False
    assert achievable["verdict"] == "unrealistic"
    assert Decimal(achievable["probability"]) == 0
    assert Decimal(achievable["needed"]) == Decimal(1_000_000)
    assert Decimal(achievable["multiple_of_best"]) == (Decimal(1_000_000) / best).quantize(
        Decimal("0.1")
    )
    assert f"That is {achievable['multiple_of_best']}x your best month." in achievable["reason"]
    assert "it needs €1,000,000 a month" in achievable["reason"]


def test_the_probability_is_the_same_for_the_same_inputs(history, teams):
    api = token_client(teams["marketing"])

    answers = {
        check(api, **body(target="450000"))["smart"]["achievable"]["probability"] for _ in range(3)
    }

    assert len(answers) == 1
    assert 0 < Decimal(answers.pop()) < 1


def test_a_period_already_over_is_not_time_bound(history, teams):
    api = token_client(teams["marketing"])

    letter = check(api, **body(first_month="2025-01", last_month="2025-06"))["smart"]["time_bound"]

    assert letter == {"ok": False, "reason": "The period ended in Jun 2025: it is already over."}


def test_a_period_of_more_than_two_years_is_not_time_bound(history, teams):
    api = token_client(teams["marketing"])

    letter = check(api, **body(first_month="2027-01", last_month="2029-06"))["smart"]["time_bound"]

    assert letter["ok"] is False
    assert letter["reason"] == "30 months is too long to steer by: at most 24."


def test_a_metric_without_its_data_is_not_measurable_and_says_what_is_missing(history, teams):
    api = token_client(teams["marketing"])

    letter = check(api, **body(metric="fit_share_leads", target="40"))["smart"]["measurable"]

    assert letter["ok"] is False
    assert letter["reason"] == (
        "Fit share of leads needs a buyer persona approved by both teams, and Nov 2024 to "
        "Oct 2026 has none."
    )


def test_an_organisation_without_history_cannot_measure_or_judge(org, teams):
    api = token_client(teams["marketing"])

    smart = check(api, **body(metric="cost_per_lead", target="40"))["smart"]

    assert smart["measurable"]["ok"] is False
    assert "campaigns with an actual cost and leads" in smart["measurable"]["reason"]
    assert smart["achievable"]["verdict"] == "unknown"
    assert smart["achievable"]["reason"] == (
        "Without the data it needs, the target cannot be judged against history."
    )
    assert smart["achievable"]["probability"] is None
    assert smart["relevant"]["ok"] is False  # no plan, no persona


def test_owners_of_one_team_only_are_not_shared(history, teams):
    api = token_client(teams["marketing"])
    owners = [
        {"member": teams["sales"].pk, "weight": "10"},
        {"member": teams["rep"].pk, "weight": "10"},
    ]

    assert check(api, **body(owners=owners))["shared"] is False
    assert check(api, **body(owners=[]))["shared"] is False


def test_an_mql_objective_far_below_the_plan_is_flagged_with_the_gap(history, teams, plan):
    api = token_client(teams["marketing"])
    needs = check(
        api, **body(metric="mqls", target="1", first_month="2027-01", last_month="2027-12")
    )
    figure = needs["smart"]["relevant"]["reason"]
    assert needs["smart"]["relevant"]["ok"] is False
    assert figure.startswith("Far below the plan: FY2027 v1 needs ")
    assert "more than this target." in figure


def test_two_scopes_are_not_specific_and_cannot_be_saved(history, teams):
    api = token_client(teams["marketing"])
    scope = {"channel": "paid_search", "product": "Pro"}

    letter = check(api, **body(scope=scope))["smart"]["specific"]
    saved = api.post("/api/v1/objectives/", body(scope=scope), format="json")

    assert letter["ok"] is False
    assert (
        letter["reason"] == "Name one scope, not channel, product: an objective measures one thing."
    )
    assert saved.status_code == 400
    assert "scope" in saved.json()["error"]["fields"]
    assert not Objective.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"metric": "happiness"}, "metric"),
        ({"metric": "persona"}, "metric"),
        ({"target": "-5"}, "target"),
        ({"target": "1e30"}, "target"),
        ({"first_month": "2027-13"}, "first_month"),
        ({"last_month": "2026-12"}, "last_month"),  # before the first
        ({"first_month": "1066-01"}, "first_month"),
        ({"first_month": "1990-01", "last_month": "2100-12"}, "last_month"),  # 111 years
        ({"title": "x" * 161}, "title"),
        ({"scope": {"channel": "no_such_channel"}}, "scope.channel"),
        ({"scope": {"campaign": 99999999}}, "scope.campaign"),
        ({"owners": [{"member": 99999999, "weight": "10"}]}, "owners[0].member"),
        ({"owners": [{"member": 1, "weight": "101"}]}, "owners[0].weight"),
        ({"owners": [{"member": 1, "weight": "5"}] * 21}, "owners"),
        ({"scope": {"product": "p" * 201}}, "scope.product"),
        ({"plan": 99999999}, "plan"),
        ({"metric": "mqls", "target": "10.5"}, "target"),
        ({"metric": "win_rate", "target": "120"}, "target"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(history, teams, given, field):
    api = token_client(teams["marketing"])

    for url in ("/api/v1/objectives/check/", "/api/v1/objectives/"):
        answer = api.post(url, body(**given), format="json")
        if url.endswith("check/") and field == "target" and given.get("metric"):
            continue  # whole numbers and rates up to 100 are checked when saving
        assert answer.status_code == 400, (url, answer.json())
        fields = answer.json()["error"]["fields"]
        assert any(name == field or name.startswith(field) for name in fields), fields
    assert not Objective.objects.exists()


@pytest.mark.parametrize(
    ("owners", "field"),
    [([{"member": 1}], "owners[0].weight"), ([{"zzz": 1}], "owners[0].member")],
)
def test_an_owner_patched_without_its_member_or_weight_is_a_400(history, teams, owners, field):
    api = token_client(teams["marketing"])
    made = api.post("/api/v1/objectives/", body(teams), format="json").json()

    answer = api.patch(f"/api/v1/objectives/{made['id']}/", {"owners": owners}, format="json")

    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["error"]["fields"]
    assert Owner.objects.count() == len(made["owners"])


def test_weights_over_100_percent_in_a_month_are_refused_naming_the_owner(history, teams):
    api = token_client(teams["marketing"])
    first = api.post("/api/v1/objectives/", body(teams), format="json")
    assert first.status_code == 201
    heavy = [{"member": teams["sales"].pk, "weight": "80"}]  # already 25 in Jan to Jun

    answer = api.post("/api/v1/objectives/", body(owners=heavy, first_month="2027-06", last_month="2027-09"), format="json")  # fmt: skip

    assert answer.status_code == 400
    message = answer.json()["error"]["fields"]["owners[0].weight"][0]
    assert "already carries 25 % of their incentive in Jun 2027" in message
    assert "it would be 105 %" in message
    assert Objective.objects.count() == 1
    later = api.post("/api/v1/objectives/", body(owners=heavy, first_month="2027-07", last_month="2027-09"), format="json")  # fmt: skip
    assert later.status_code == 201  # months it does not share with the first


def test_create_read_edit_and_delete(history, teams, plan):
    api = token_client(teams["marketing"])

    made = api.post(
        "/api/v1/objectives/", body(teams, title="Revenue H1", plan=plan.pk), format="json"
    )
    assert made.status_code == 201, made.json()
    objective = made.json()
    assert objective["shared"] is True
    assert [o["team"] for o in objective["owners"]] == ["marketing", "sales"]
    assert objective["smart"]["specific"]["ok"] is True
    assert objective["progress"]["status"] == "not_started"
    assert objective["status"] == "not_started"

    edited = api.patch(f"/api/v1/objectives/{objective['id']}/", {"target": "100"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["target"] == "100"
    assert edited.json()["title"] == "Revenue H1"
    assert edited.json()["smart"]["achievable"]["verdict"] == "achievable"  # checked again
    assert len(edited.json()["owners"]) == 2  # kept

    read = api.get(f"/api/v1/objectives/{objective['id']}/")
    assert read.json() == edited.json()
    assert api.delete(f"/api/v1/objectives/{objective['id']}/").status_code == 204
    assert not Objective.objects.exists()
    assert not Owner.objects.exists()


def test_the_list_filters_by_status_owner_and_shared(history, teams):
    api = token_client(teams["marketing"])
    shared = api.post("/api/v1/objectives/", body(teams, title="Shared"), format="json").json()
    alone = api.post(
        "/api/v1/objectives/",
        body(title="Sales only", first_month="2026-01", last_month="2026-12",
             owners=[{"member": teams["sales"].pk, "weight": "10"}]),
        format="json",
    ).json()  # fmt: skip

    def titles(query):
        answer = api.get(f"/api/v1/objectives/{query}")
        assert answer.status_code == 200
        return [o["title"] for o in answer.json()["results"]]

    assert titles("") == ["Sales only", "Shared"]
    assert titles("?shared=true") == ["Shared"]
    assert titles("?shared=false") == ["Sales only"]
    assert titles(f"?owner={teams['marketing'].pk}") == ["Shared"]
    assert titles("?status=not_started") == ["Shared"]
    assert titles(f"?status={alone['status']}") == ["Sales only"]
    assert shared["status"] == "not_started"
    assert api.get("/api/v1/objectives/?status=bogus").status_code == 400


def test_objectives_from_the_plan_take_its_figures_and_are_proposed_once(history, teams, plan):
    api = token_client(teams["sales"])

    made = api.post("/api/v1/objectives/from-plan/", {"plan": plan.pk}, format="json")
    again = api.post("/api/v1/objectives/from-plan/", {"plan": plan.pk}, format="json")

    assert made.status_code == 201
    assert again.status_code == 201
    assert again.json() == []
    found = {(o["metric"], (o["scope"] or {}).get("channel")): o for o in made.json()}
    assert set(found) == {
        ("won_revenue", None), ("new_customers", None), ("sqls", None),
        ("mqls", "paid_search"), ("mqls", "social"), ("leads", "paid_search"), ("leads", "social"),
    }  # fmt: skip
    assert Decimal(found[("won_revenue", None)]["target"]) == Decimal(1_200_000)
    assert Decimal(found[("new_customers", None)]["target"]) == Decimal(120)  # 1.2M / 10,000
    assert all(o["first_month"] == "2027-01" and o["last_month"] == "2027-12" for o in made.json())
    assert all(o["owners"] == [] and o["plan"] == plan.pk for o in made.json())
    assert all(o["smart"]["relevant"]["ok"] for o in made.json())


def test_a_sales_objective_splits_into_rep_targets_that_add_up(history, teams):
    api = token_client(teams["sales"])
    reps = [
        teams["rep"],
        *(MembershipFactory(organization=history, role=Role.SALES_REP) for _ in range(2)),
    ]
    objective = api.post("/api/v1/objectives/", body(target="100000.01"), format="json").json()
    url = f"/api/v1/objectives/{objective['id']}/split/"

    equal = api.post(url, {"method": "equal", "members": [r.pk for r in reps]}, format="json")
    weighted = api.post(
        url,
        {"method": "weights", "weights": {str(reps[0].pk): "3", str(reps[1].pk): "1"}},
        format="json",
    )

    assert equal.status_code == 200, equal.json()
    assert sorted(Decimal(r["target"]) for r in equal.json()["rep_targets"]) == [
        Decimal("33333.33"), Decimal("33333.34"), Decimal("33333.34")
    ]  # fmt: skip
    assert weighted.status_code == 200, weighted.json()
    targets = {r["member"]: Decimal(r["target"]) for r in weighted.json()["rep_targets"]}
    assert targets == {reps[0].pk: Decimal("75000.01"), reps[1].pk: Decimal("25000.00")}
    assert sum(RepTarget.objects.values_list("target", flat=True)) == Decimal("100000.01")


def test_a_split_by_last_years_wins_needs_wins_and_a_metric_counted_per_rep(history, teams):
    api = token_client(teams["sales"])
    revenue = api.post("/api/v1/objectives/", body(), format="json").json()
    rate = api.post(
        "/api/v1/objectives/", body(metric="win_rate", target="30"), format="json"
    ).json()

    by_wins = api.post(
        f"/api/v1/objectives/{revenue['id']}/split/", {"method": "last_year"}, format="json"
    )
    not_per_rep = api.post(
        f"/api/v1/objectives/{rate['id']}/split/", {"method": "equal"}, format="json"
    )

    assert by_wins.status_code == 400  # the demo's one rep member has no deals of their own
    assert "None of these reps" in by_wins.json()["error"]["fields"]["method"][0]
    assert not_per_rep.status_code == 400
    assert "cannot be split" in not_per_rep.json()["error"]["fields"]["method"][0]
    assert not RepTarget.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.SALES_REP])
def test_readers_may_check_and_read_but_not_write(history, teams, member, role):
    api = token_client(member(role))
    writer = token_client(teams["marketing"])
    objective = writer.post("/api/v1/objectives/", body(), format="json").json()

    assert api.post("/api/v1/objectives/check/", body(), format="json").status_code == 200
    assert api.get(f"/api/v1/objectives/{objective['id']}/").status_code == 200
    assert api.post("/api/v1/objectives/", body(), format="json").status_code == 403
    assert (
        api.patch(
            f"/api/v1/objectives/{objective['id']}/", {"target": "1"}, format="json"
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/objectives/{objective['id']}/").status_code == 403
    assert api.post("/api/v1/objectives/from-plan/", {"plan": 1}, format="json").status_code == 403
    assert Objective.objects.get().target == Decimal(500000)


def test_another_organisations_objectives_and_members_are_out_of_reach(history, teams, other_org):
    mine = token_client(teams["marketing"])
    theirs = token_client(MembershipFactory(organization=other_org, role=Role.ADMIN))
    objective = mine.post("/api/v1/objectives/", body(), format="json").json()
    stranger = MembershipFactory(organization=other_org, role=Role.SALES_MANAGER)

    assert theirs.get(f"/api/v1/objectives/{objective['id']}/").status_code == 404
    assert (
        theirs.patch(
            f"/api/v1/objectives/{objective['id']}/", {"target": "1"}, format="json"
        ).status_code
        == 404
    )
    assert theirs.delete(f"/api/v1/objectives/{objective['id']}/").status_code == 404
    assert theirs.get("/api/v1/objectives/").json()["results"] == []
    owners = [{"member": stranger.pk, "weight": "10"}]
    assert mine.post("/api/v1/objectives/", body(owners=owners), format="json").status_code == 400
    assert Objective.objects.count() == 1


def test_the_scorecard_puts_shared_objectives_first_and_weighs_each_team(history, teams):
    api = token_client(teams["marketing"])
    api.post("/api/v1/objectives/", body(teams, title="Shared revenue"), format="json")
    api.post("/api/v1/objectives/", body(title="MQLs", metric="mqls", target="300",
             owners=[{"member": teams["marketing"].pk, "weight": "30"}]), format="json")  # fmt: skip

    card = api.get("/api/v1/objectives/scorecard/?first_month=2027-01&last_month=2027-12").json()

    assert [o["title"] for o in card["groups"]["shared"]] == ["Shared revenue"]
    assert [o["title"] for o in card["groups"]["marketing"]] == ["MQLs"]
    assert card["teams"]["marketing"] == {
        "weight": "50",
        "on_shared": "20",
        "share_on_shared": "0.4",
    }
    assert card["teams"]["sales"] == {
        "weight": "25",
        "on_shared": "25",
        "share_on_shared": "1",
    }


def test_the_metric_dictionary_writes_the_checks_thresholds(teams):
    from tests.conftest import signed_in_client

    page = signed_in_client(teams["lead"]).get("/dashboards/metrics/")

    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="objective-checks"' in text
    assert "Achievable from a 50% chance; a stretch from 10%; unrealistic below." in text
    assert "below 90% of the plan" in text
    assert '<td><a href="#win_rate">Win rate</a></td><td>a percentage</td><td>at least</td>' in text


def test_an_owner_leaving_the_organisation_unshares_the_objective(history, teams):
    from orgs.services import membership_remove

    api = token_client(teams["marketing"])
    objective = api.post("/api/v1/objectives/", body(teams), format="json").json()
    assert objective["shared"] is True

    membership_remove(membership=teams["sales"])

    after = api.get(f"/api/v1/objectives/{objective['id']}/").json()
    assert after["shared"] is False
    assert [o["team"] for o in after["owners"]] == ["marketing"]


def test_an_organisation_keeps_a_bounded_number_of_objectives(history, teams, settings):
    api = token_client(teams["marketing"])
    with mock.patch("objectives.services.objectives.MAX_OBJECTIVES", 2):
        for _ in range(2):
            assert api.post("/api/v1/objectives/", body(), format="json").status_code == 201
        third = api.post("/api/v1/objectives/", body(), format="json")

    assert third.status_code == 400
    assert "at most 2 objectives" in third.json()["error"]["fields"]["non_field_errors"][0]
    assert Objective.objects.count() == 2


def test_a_scope_the_metric_is_not_counted_in_is_not_specific(history, teams):
    api = token_client(teams["marketing"])
    given = body(metric="response", target="4", scope={"product": "GTX Pro"})

    letter = check(api, **given)["smart"]["specific"]
    saved = api.post("/api/v1/objectives/", given, format="json")

    assert letter == {
        "ok": False,
        "reason": "Lead response time is not counted per product: choose another scope or none.",
    }
    assert saved.status_code == 400
    assert saved.json()["error"]["fields"]["scope"] == [
        "Lead response time cannot be measured per product."
    ]


def test_the_list_reads_in_a_fixed_number_of_queries(history, teams, django_assert_max_num_queries):
    api = token_client(teams["marketing"])
    for i in range(6):
        months = {"first_month": f"2027-0{i + 1}", "last_month": f"2027-0{i + 1}"}
        assert (
            api.post("/api/v1/objectives/", body(teams, **months), format="json").status_code == 201
        )
    reps = [teams["rep"], MembershipFactory(organization=history, role=Role.SALES_REP)]
    for objective in Objective.objects.all():
        objective_split(objective=objective, method="equal", today=TODAY, members=reps)

    # The token and its member, the count, the page, its owners and rep targets (with
    # their members and users).
    with django_assert_max_num_queries(8):
        answer = api.get("/api/v1/objectives/")

    assert len(answer.json()["results"]) == 6
    assert all(len(o["rep_targets"]) == 2 for o in answer.json()["results"])


def test_a_running_objective_needs_what_its_progress_says_is_left(history, teams):
    api = token_client(teams["marketing"])
    given = body(teams, first_month="2026-01", last_month="2026-12", target="1500000")

    achievable = check(api, **given)["smart"]["achievable"]
    saved = api.post("/api/v1/objectives/", given, format="json").json()

    so_far = Decimal(achievable["actual_so_far"])
    assert achievable["months_left"] == "1.5"  # half of November (the 15th of 30 days), December
    assert Decimal(achievable["needed"]) == ((Decimal(1500000) - so_far) / Decimal("1.5")).quantize(
        Decimal("0.01")
    )
    # The same figures as the objective's progress: what it recorded, what each month left needs.
    assert Decimal(saved["progress"]["actual"]) == so_far
    assert Decimal(saved["progress"]["pace"]) == Decimal(achievable["needed"])
    assert "so far, and the 1.5 months left need" in achievable["reason"]


def test_a_target_already_passed_needs_nothing_more(history, teams):
    api = token_client(teams["marketing"])

    achievable = check(api, **body(first_month="2026-01", last_month="2026-12", target="1000"))[
        "smart"
    ]["achievable"]

    assert Decimal(achievable["needed"]) == 0
    assert achievable["verdict"] == "achievable"
    assert Decimal(achievable["probability"]) == 1


def test_a_split_naming_members_badly_is_a_400_not_a_crash(history, teams):
    api = token_client(teams["sales"])
    objective = api.post("/api/v1/objectives/", body(), format="json").json()

    answer = api.post(
        f"/api/v1/objectives/{objective['id']}/split/",
        {"method": "equal", "members": ["x", 5]},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["members"] == {"0": ["A valid integer is required."]}
    assert not RepTarget.objects.exists()


def test_editing_a_shared_objective_keeps_it_shared(history, teams):
    api = token_client(teams["marketing"])
    objective = api.post("/api/v1/objectives/", body(teams), format="json").json()

    edited = api.patch(
        f"/api/v1/objectives/{objective['id']}/", {"target": "600000"}, format="json"
    ).json()

    assert edited["shared"] is True
    assert Objective.objects.get().shared is True


def test_a_target_change_splits_again_among_the_same_reps(history, teams):
    api = token_client(teams["sales"])
    reps = [teams["rep"], MembershipFactory(organization=history, role=Role.SALES_REP)]
    MembershipFactory(organization=history, role=Role.SALES_REP)  # not one of the split's
    objective = api.post("/api/v1/objectives/", body(target="1000"), format="json").json()
    url = f"/api/v1/objectives/{objective['id']}/"
    api.post(
        url + "split/",
        {"method": "weights", "weights": {str(reps[0].pk): "3", str(reps[1].pk): "1"}},
        format="json",
    )

    edited = api.patch(url, {"target": "2000"}, format="json").json()

    assert {r["member"]: r["target"] for r in edited["rep_targets"]} == {
        reps[0].pk: "1500",
        reps[1].pk: "500",
    }
    rate = api.patch(url, {"metric": "win_rate", "target": "30"}, format="json").json()
    assert rate["rep_targets"] == []  # a rate is not counted per rep
    assert rate["split_method"] == ""
