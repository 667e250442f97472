"""Acceptance: the KPIs of the two public data sets, against pandas on the raw files.

The facts are built by the incremental path (the imports mark their cells), then a full
recompute must find no difference.
"""

import pandas as pd
import pytest

from crm.models import ChangedCell
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from kpis.selectors import kpi_rows
from tests.crm.imports.conftest import DATA, needs_data

pytestmark = pytest.mark.django_db


def incremental_then_checked(org):
    assert ChangedCell.objects.for_org(org).exists()  # the imports marked what they wrote
    kpis_recompute_changed(organization_id=org.pk)
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


def test_maven_won_revenue_and_win_rate_by_month(org, run_import):
    needs_data()
    run_import(DATA / "maven/accounts.csv", "maven-companies")
    run_import(DATA / "maven/sales_pipeline.csv", "maven-deals")
    incremental_then_checked(org)
    raw = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype={"close_value": "float"})
    closed = raw[raw.deal_stage.isin(["Won", "Lost"])].copy()
    closed["month"] = closed.close_date.str[:7]
    won = closed[closed.deal_stage == "Won"].groupby("month")
    expected = pd.DataFrame(
        {
            "won_deals": won.size(),
            "won_revenue": won.close_value.sum(),
            "lost_deals": closed[closed.deal_stage == "Lost"].groupby("month").size(),
        }
    ).fillna(0)

    rows = {row["month"]: row for row in kpi_rows(org, group_by="month")}

    assert sorted(rows) == sorted(expected.index)
    for month, want in expected.iterrows():
        got = rows[month]
        assert got["won_deals"] == want.won_deals, month
        assert got["lost_deals"] == want.lost_deals, month
        assert float(got["won_revenue"]) == pytest.approx(want.won_revenue), month
        rate = want.won_deals / (want.won_deals + want.lost_deals)
        assert float(got["win_rate"]) == pytest.approx(rate, abs=5e-5), month


def test_olist_mqls_and_won_deals_by_channel(org, run_import):
    needs_data()
    run_import(DATA / "olist/olist_marketing_qualified_leads_dataset.csv", "olist-leads")
    run_import(DATA / "olist/olist_closed_deals_dataset.csv", "olist-deals")
    incremental_then_checked(org)
    mqls = pd.read_csv(
        DATA / "olist/olist_marketing_qualified_leads_dataset.csv", dtype=str, keep_default_na=False
    )
    mqls["channel"] = mqls.origin.replace("", "unknown")
    won = pd.read_csv(DATA / "olist/olist_closed_deals_dataset.csv", dtype=str).merge(
        mqls, on="mql_id"
    )

    rows = {row["channel"]: row for row in kpi_rows(org, group_by="channel")}

    assert {
        code: row["mqls"] for code, row in rows.items()
    } == mqls.channel.value_counts().to_dict()
    expected_won = won.channel.value_counts().to_dict()
    assert {
        code: row["won_deals"] for code, row in rows.items() if row["won_deals"]
    } == expected_won
