"""Acceptance: discovery by industry on the maven data set, against pandas on the raw files.

The maven import (docs/import-examples/maven-*.json) makes each account a company whose
industry is its `sector` (the misspelt "technolgy" read as "technology") and each
opportunity a deal of its account: "Won" -> won, "Lost" -> lost, `close_value` its amount,
`engage_date` its creation and `close_date` its close."""

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from smarketing.lib.decimals import plain_decimal
from tests.conftest import token_client
from tests.crm.imports.conftest import DATA, needs_data

pytestmark = pytest.mark.django_db


def rounded(value, places):
    return plain_decimal(Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP))


def expected_by_sector():
    accounts = pd.read_csv(DATA / "maven/accounts.csv", dtype=str, keep_default_na=False)
    pipeline = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype=str, keep_default_na=False)
    sector = accounts.set_index("account")["sector"].replace({"technolgy": "technology"})
    closed = pipeline[pipeline.deal_stage.isin(["Won", "Lost"])].copy()
    closed["sector"] = closed.account.map(sector)
    closed["amount"] = closed.close_value.map(Decimal)
    closed["days"] = (
        pd.to_datetime(closed.close_date) - pd.to_datetime(closed.engage_date)
    ).dt.days
    won = closed[closed.deal_stage == "Won"]
    all_rate = Decimal(len(won)) / Decimal(len(closed))
    expected = {}
    for name, group in closed.groupby("sector"):
        wins = won[won.sector == name]
        per_account = wins.groupby("account").size()
        revenue = sum(wins.amount, Decimal(0))
        rate = Decimal(len(wins)) / Decimal(len(group))
        expected[name] = {
            "won_revenue": rounded(revenue, "0.01"),
            "won_deals": len(wins),
            "lost_deals": len(group) - len(wins),
            "win_rate": rounded(rate, "0.0001"),
            "avg_deal_size": rounded(revenue / len(wins), "0.01"),
            "median_cycle_days": rounded(wins.days.median(), "0.1"),
            "customers": len(per_account),
            "repeat_rate": rounded((per_account > 1).sum() / Decimal(len(per_account)), "0.0001"),
            "lift": rounded(rate / all_rate, "0.0001"),
            "small_sample": len(group) < 30,
        }
    return expected, sum(won.amount, Decimal(0))


def test_maven_discovery_by_industry_matches_pandas(org, member, run_import):
    needs_data()
    run_import(DATA / "maven/accounts.csv", "maven-companies")
    run_import(DATA / "maven/sales_pipeline.csv", "maven-deals")
    expected, total = expected_by_sector()

    body = token_client(member()).get("/api/v1/personas/discovery/?dimension=industry").json()

    figures = {s["value"]: {k: s[k] for k in expected["retail"]} for s in body["segments"]}
    assert figures == expected
    assert body["overall"]["won_revenue"] == rounded(total, "0.01")
    revenues = [Decimal(s["won_revenue"]) for s in body["segments"]]
    assert revenues == sorted(revenues, reverse=True)
    assert len(expected) == 10  # the maven sectors, "technolgy" read as "technology"
