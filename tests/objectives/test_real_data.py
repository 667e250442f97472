"""Acceptance on the Maven data set (B2B opportunities of 2016-2017 with agents and
products), checked as on 2018-01-15: a product's revenue objective is judged against the
product's own months, and a team target split by last year's wins follows each agent's
won revenue, against pandas on the raw file."""

import json
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from kpis.recompute import kpis_recompute_full
from objectives.models import RepTarget
from objectives.services import Draft, objective_check, objective_create, objective_split
from orgs.models import Membership, Role
from tests.crm.imports.conftest import DATA, EXAMPLES, needs_data

pytestmark = pytest.mark.django_db
TODAY = date(2018, 1, 15)


@pytest.fixture
def maven(org, run_import):
    needs_data()
    mapping = json.loads((EXAMPLES / "maven-deals-with-owners.json").read_text())
    agents = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype=str).sales_agent.dropna()
    mapping["new_sales_reps"] = sorted(set(agents))  # each agent recorded as a rep
    run_import(DATA / "maven/accounts.csv", "maven-companies")
    run_import(DATA / "maven/sales_pipeline.csv", mapping)
    kpis_recompute_full(organization_id=org.pk)
    raw = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype={"close_value": "float"})
    won = raw[raw.deal_stage == "Won"].copy()
    won["month"] = pd.to_datetime(won.close_date).dt.to_period("M")
    return org, won


def test_a_products_revenue_objective_is_judged_on_that_products_months(maven):
    org, won = maven
    product = won["product"].mode()[0]
    monthly = won[won["product"] == product].groupby("month").close_value.sum()
    best = Decimal(str(monthly.max())).quantize(Decimal("0.01"))
    draft = Draft(title="", metric="won_revenue", target=Decimal(str(monthly.max() * 6 * 3)),
                  first_month=date(2018, 1, 1), last_month=date(2018, 6, 1), product=product)  # fmt: skip

    smart = objective_check(organization=org, draft=draft, today=TODAY)["smart"]

    achievable = smart["achievable"]["params"]
    assert smart["measurable"]["ok"] is True
    assert Decimal(achievable["best"]) == best
    # Three times the best month's run rate over the six months, needed in what is left of
    # them: the rest of January (16 of 31 days) and February to June.
    left = 1 - Decimal(15) / 31 + 5
    needed = (Decimal(str(monthly.max() * 6 * 3)) / left).quantize(Decimal("0.01"))
    assert Decimal(achievable["needed"]) == needed
    assert Decimal(achievable["multiple_of_best"]) == (needed / best).quantize(Decimal("0.1"))
    assert achievable["verdict"] == "unrealistic"
    same_months = won[(won["product"] == product) & won.month.between("2017-01", "2017-06")]
    assert Decimal(achievable["same_months_last_year"]) == Decimal(
        str(same_months.close_value.sum())
    )


def test_a_team_target_split_by_last_years_wins_follows_each_agents_revenue(maven):
    org, won = maven
    reps = list(Membership.objects.for_org(org).filter(role=Role.SALES_REP).select_related("user"))
    assert len(reps) == won.sales_agent.nunique()  # the import recorded each agent as a rep
    draft = Draft(title="Revenue H1", metric="won_revenue", target=Decimal("5000000"),
                  first_month=date(2018, 1, 1), last_month=date(2018, 6, 1))  # fmt: skip
    objective = objective_create(organization=org, by=None, draft=draft, today=TODAY)

    objective_split(objective=objective, method="last_year", today=TODAY)

    last_year = (
        won[won.month.between("2017-01", "2017-12")].groupby("sales_agent").close_value.sum()
    )
    targets = {
        str(r.membership.user): r.target
        for r in RepTarget.objects.filter(objective=objective).select_related("membership__user")
    }
    assert sum(targets.values()) == Decimal("5000000")
    top = last_year.idxmax()
    expected = Decimal(str(last_year[top] / last_year.sum() * 5_000_000))
    assert abs(targets[top] - expected) <= Decimal("0.01")
