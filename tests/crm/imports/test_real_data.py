"""Acceptance: the two public data sets import completely, checked against pandas on the raw files."""

import json
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest
from django.db.models import Count

from crm.defaults import CHANNELS
from crm.models import Company, Deal, Lead, LeadStageChange
from crm.rules import deal_kind
from orgs.models import Membership, Role
from tests.crm.imports.conftest import DATA, EXAMPLES, needs_data

pytestmark = pytest.mark.django_db


def test_olist_leads_and_won_deals(org, run_import):
    needs_data()
    mqls = pd.read_csv(
        DATA / "olist/olist_marketing_qualified_leads_dataset.csv", dtype=str, keep_default_na=False
    )
    won = pd.read_csv(
        DATA / "olist/olist_closed_deals_dataset.csv", dtype=str, keep_default_na=False
    )

    leads = run_import(DATA / "olist/olist_marketing_qualified_leads_dataset.csv", "olist-leads")
    deals = run_import(DATA / "olist/olist_closed_deals_dataset.csv", "olist-deals")

    # The channels the organisation did not have are created, and the summary names them.
    new_channels = sorted(set(mqls["origin"].replace("", "unknown")) - {c for c, _n in CHANNELS})
    assert leads == {
        "created": len(mqls),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "unassigned": 0,
        "channels_created": new_channels,
        "sales_reps_created": [],
        "error_report": None,
    }
    assert deals == {
        "created": len(won),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "unassigned": 0,
        "channels_created": [],
        "sales_reps_created": [],
        "error_report": None,
    }
    expected_channels = Counter(mqls["origin"].replace("", "unknown"))
    imported = Lead.objects.for_org(org).values("channel__code").annotate(n=Count("id"))
    assert {row["channel__code"]: row["n"] for row in imported} == expected_channels
    linked = won["mql_id"].isin(mqls["mql_id"]).sum()
    stages = dict(Lead.objects.for_org(org).values_list("stage").annotate(n=Count("id")))
    assert stages == {"customer": linked, "mql": len(mqls) - linked}
    assert Deal.objects.for_org(org).filter(status="won", lead__isnull=False).count() == linked
    first_contact = pd.to_datetime(mqls["first_contact_date"], format="%d-%m-%Y").min()
    assert (
        Lead.objects.for_org(org).earliest("created_at").created_at.date() == first_contact.date()
    )


def test_olist_stage_history_is_complete(org, run_import):
    needs_data()
    run_import(DATA / "olist/olist_marketing_qualified_leads_dataset.csv", "olist-leads")
    run_import(DATA / "olist/olist_closed_deals_dataset.csv", "olist-deals")

    changes = LeadStageChange.objects.for_org(org)
    assert changes.filter(from_stage="", to_stage="mql", source="import").count() == 8000
    wins = changes.filter(from_stage="mql", to_stage="customer", source="deal_won")
    assert wins.count() == Lead.objects.for_org(org).filter(stage="customer").count()
    # every win is recorded at the deal's close date, never before the lead existed
    for change in wins.select_related("lead")[:50]:
        deal = change.lead.deals.get()
        assert change.at == max(deal.closed_at, change.lead.created_at)


def test_maven_companies_and_pipeline(org, run_import):
    needs_data()
    accounts = pd.read_csv(DATA / "maven/accounts.csv", dtype=str, keep_default_na=False)
    pipeline = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype=str, keep_default_na=False)

    companies = run_import(DATA / "maven/accounts.csv", "maven-companies")
    deals = run_import(DATA / "maven/sales_pipeline.csv", "maven-deals")

    assert companies["created"] == len(accounts)
    assert companies["rejected"] == 0
    assert deals["created"] == len(pipeline)
    assert deals["rejected"] == 0
    status_of = {"Won": "won", "Lost": "lost", "Engaging": "open", "Prospecting": "open"}
    expected = Counter(pipeline["deal_stage"].map(status_of))
    assert dict(Deal.objects.for_org(org).values_list("status").annotate(n=Count("id"))) == expected
    expected_won = pd.to_numeric(pipeline.loc[pipeline["deal_stage"] == "Won", "close_value"]).sum()
    won_total = sum(Deal.objects.for_org(org).filter(status="won").values_list("amount", flat=True))
    assert won_total == Decimal(str(expected_won))
    assert (
        Deal.objects.for_org(org).filter(company__isnull=False).count()
        == (pipeline["account"] != "").sum()
    )
    technology = accounts["sector"].isin(["technology", "technolgy"]).sum()
    assert Company.objects.for_org(org).filter(industry="technology").count() == technology
    with_parent = (accounts["subsidiary_of"] != "").sum()
    assert Company.objects.for_org(org).filter(parent__isnull=False).count() == with_parent
    assert not Deal.objects.for_org(org).filter(product="GTXPro").exists()


def test_maven_deal_kinds_match_the_python_rule(org, run_import):
    needs_data()
    run_import(DATA / "maven/accounts.csv", "maven-companies")
    run_import(DATA / "maven/sales_pipeline.csv", "maven-deals")

    wins: dict[int, list] = {}
    deals = list(
        Deal.objects.for_org(org)
        .filter(company__isnull=False)
        .values("id", "company_id", "status", "created_at", "closed_at", "kind")
    )
    for deal in deals:
        if deal["status"] == "won":
            wins.setdefault(deal["company_id"], []).append((deal["id"], deal["closed_at"]))
    for deal in deals:
        when = deal["created_at"] or deal["closed_at"]
        earlier = [at for pk, at in wins.get(deal["company_id"], []) if pk != deal["id"]]
        assert deal["kind"] == deal_kind(when, earlier), deal
    assert {d["kind"] for d in deals} == {"new", "repeat", "reactivation"} or len(
        {d["kind"] for d in deals}
    ) >= 2


def test_importing_the_same_files_again_changes_nothing(org, run_import):
    needs_data()
    files = [
        (DATA / "olist/olist_marketing_qualified_leads_dataset.csv", "olist-leads"),
        (DATA / "olist/olist_closed_deals_dataset.csv", "olist-deals"),
        (DATA / "maven/accounts.csv", "maven-companies"),
        (DATA / "maven/sales_pipeline.csv", "maven-deals"),
    ]
    for path, mapping in files:
        run_import(path, mapping)
    changes = LeadStageChange.objects.count()

    again = [run_import(path, mapping) for path, mapping in files]

    assert [(r["created"], r["updated"], r["rejected"]) for r in again] == [(0, 0, 0)] * 4
    assert [r["unchanged"] for r in again] == [8000, 842, 85, 8800]
    assert LeadStageChange.objects.count() == changes


def test_maven_deals_with_their_owners_mapped_all_come_in_unassigned_and_counted(org, run_import):
    needs_data()
    pipeline = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype=str, keep_default_na=False)
    mapping = json.loads((EXAMPLES / "maven-deals.json").read_text())
    mapping["columns"]["owner"] = "sales_agent"
    run_import(DATA / "maven/accounts.csv", "maven-companies")

    deals = run_import(DATA / "maven/sales_pipeline.csv", mapping)

    # No member is called like maven's agents: every deal is in, none with an owner.
    assert deals["created"] == len(pipeline) == 8800
    assert deals["rejected"] == 0
    assert deals["unassigned"] == (pipeline["sales_agent"] != "").sum()
    assert not Deal.objects.for_org(org).filter(owner__isnull=False).exists()


def test_maven_owners_map_to_members_new_reps_or_nobody(org, member, run_import):
    needs_data()
    pipeline = pd.read_csv(DATA / "maven/sales_pipeline.csv", dtype=str, keep_default_na=False)
    agents = pipeline["sales_agent"].value_counts()
    darcel, vicki, anna, *others = agents.index
    ada = member(Role.SALES_MANAGER).user
    mapping = json.loads((EXAMPLES / "maven-deals-with-owners.json").read_text())
    mapping["values"]["owner"] = {darcel: ada.username, anna: ""}
    mapping["new_sales_reps"] = [vicki, *others]
    run_import(DATA / "maven/accounts.csv", "maven-companies")

    deals = run_import(DATA / "maven/sales_pipeline.csv", mapping)

    assert deals["created"] == 8800
    assert deals["rejected"] == 0
    assert deals["unassigned"] == agents[anna]  # the one mapped to nobody
    assert deals["sales_reps_created"] == [vicki, *others]
    owned = dict(Deal.objects.for_org(org).values_list("owner__username").annotate(n=Count("id")))
    assert owned[ada.username] == agents[darcel]
    assert owned[None] == agents[anna]
    reps = Membership.objects.for_org(org).filter(role=Role.SALES_REP).select_related("user")
    by_name = {m.user.get_full_name(): m.user for m in reps}
    assert set(by_name) == {vicki, *others}
    assert owned[by_name[vicki].username] == agents[vicki]
    # Recorded without a login: they cannot sign in until invited.
    assert not any(user.has_signed_up for user in by_name.values())

    again = run_import(DATA / "maven/sales_pipeline.csv", mapping)

    assert again["sales_reps_created"] == []  # found by name, not recorded twice
    assert again["unchanged"] == 8800
    assert again["unassigned"] == agents[anna]
