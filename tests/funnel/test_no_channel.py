"""Leads without a channel are a group of their own everywhere, never the channel coded
`unknown` (issue 19: the olist import's 60 blank-origin leads were reported as `unknown`)."""

import csv
import io
from datetime import date

import pytest

from crm.models import Channel, Lead
from funnel.assumptions import NO_CHANNEL, learn
from funnel.models import Plan
from funnel.selectors import actual_counts
from funnel.services import plan_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.conftest import signed_in_client, token_client

pytestmark = pytest.mark.django_db
MAPPING = {
    "kind": "leads",
    "columns": {
        "external_id": "id",
        "created_at": "created",
        "channel": "origin",
        "stage": "stage",
    },
    "date_formats": {"created_at": "%Y-%m-%d"},
}
# Three leads with a blank origin (two of them MQLs) beside five of the channel coded
# "unknown" (one an MQL).
ROWS = [("", "mql"), ("", "mql"), ("", "lead")] + [("unknown", "mql")] + [("unknown", "lead")] * 4


@pytest.fixture
def imported(org, run_import, tmp_path):
    path = tmp_path / "leads.csv"
    lines = ["id,created,origin,stage"]
    lines += [f"L{i},2026-03-05,{origin},{stage}" for i, (origin, stage) in enumerate(ROWS)]
    path.write_text("\n".join(lines) + "\n")
    summary = run_import(path, MAPPING)
    assert summary["created"] == 8, summary
    kpis_recompute_full(organization_id=org.pk)
    return org


def test_the_import_keeps_blank_and_unknown_apart(imported):
    unknown = Channel.objects.for_org(imported).get(code="unknown")

    assert Lead.objects.for_org(imported).filter(channel=None).count() == 3
    assert Lead.objects.for_org(imported).filter(channel=unknown).count() == 5


def test_learned_assumptions_keep_them_apart(imported):
    learned = learn(organization=imported, start=date(2026, 1, 1), end=date(2027, 1, 1))

    leads = {key: figure.sample for key, figure in learned.cost_per_lead.items()}
    assert (leads[NO_CHANNEL], leads["unknown"]) == (3, 5)
    shares = learned.channel_shares()
    assert shares[NO_CHANNEL][0] + shares["unknown"][0] == 1
    assert shares["unknown"][0] > shares[NO_CHANNEL][0]


def test_the_kpis_keep_them_apart_in_the_api_and_the_dashboard(imported, member):
    api = token_client(member(Role.LEADERSHIP))
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    rows = api.get("/api/v1/kpis/?group_by=channel&start=2026-03-01&end=2026-03-31").json()
    export = client.get("/dashboards/marketing/?start=2026-03&end=2026-03&export=csv")
    page = client.get("/dashboards/marketing/?start=2026-03&end=2026-03").content.decode()

    by_channel = {r["channel"]: r for r in rows["results"]}
    assert (by_channel[None]["leads"], by_channel[None]["mqls"]) == (3, 2)
    assert (by_channel["unknown"]["leads"], by_channel["unknown"]["mqls"]) == (5, 1)
    exported = {r[0]: r for r in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert exported["No channel"][1] == "3"
    assert exported["unknown"][1] == "5"
    table = page.split('data-testid="conversion-by-channel"')[1].split("</table>")[0]
    assert "No channel" in table
    assert "Unknown" in table


def test_a_learned_plan_and_its_export_keep_them_apart(imported, member):
    plan = plan_create(
        organization=imported, by=None, name="FY2027", first_month=date(2027, 1, 1),
        last_month=date(2027, 12, 1), inputs={"revenue_goal": "100000", "average_deal_size": "1000",
        "conversion_rates": ["0.5", "0.5", "0.5", "0.5"]}, mode=Plan.Mode.LEARNED,
    )  # fmt: skip

    channels = {c["code"] for c in plan.result["inputs_used"]["channels"]}
    export = signed_in_client(member(Role.LEADERSHIP)).get(f"/plans/{plan.pk}/targets.csv")
    actual = actual_counts(imported, date(2026, 3, 1), date(2026, 3, 1), ["lead", "mql"])

    assert channels == {NO_CHANNEL, "unknown"}
    assert set(plan.targets.values_list("channel", flat=True)) == {"", NO_CHANNEL, "unknown"}
    exported = {row[2] for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert {"No channel", "unknown"} <= exported
    assert (actual[("2026-03", "lead", NO_CHANNEL)], actual[("2026-03", "lead", "unknown")]) == (
        3,
        5,
    )
