"""Learned assumptions, checked against pandas over the same rows."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from crm.demo import seed_crm_history
from crm.models import Campaign, Deal, Lead, LeadStageChange
from crm.services.leads import lead_create
from funnel.assumptions import ALL, learn, learn_cached
from kpis.recompute import kpis_recompute_full

pytestmark = pytest.mark.django_db
START, END = date(2025, 11, 1), date(2026, 11, 1)
WINDOW = (datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
FUNNEL = ["lead", "mql", "sql", "opportunity", "customer"]


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    return org


def frame(queryset, *fields):
    return pd.DataFrame(
        list(queryset.values_list(*fields)), columns=[f.replace("__", "_") for f in fields]
    )


def test_conversion_by_cohort_matches_pandas(history):
    learned = learn(organization=history, start=START, end=END)
    changes = frame(LeadStageChange.objects.for_org(history), "lead_id", "to_stage", "at")
    channels = frame(Lead.objects.for_org(history), "id", "channel__code").rename(
        columns={"id": "lead_id"}
    )
    start, end = pd.Timestamp(START, tz=UTC), pd.Timestamp(END, tz=UTC)

    for i, stage in enumerate(FUNNEL[:-1]):
        entered = (
            changes[(changes.to_stage == stage) & (changes["at"] >= start) & (changes["at"] < end)]
            .groupby("lead_id")
            .at.min()
        )
        later = changes[changes.to_stage.isin(FUNNEL[i + 1 :])].merge(
            entered.rename("entered_at"), left_on="lead_id", right_index=True
        )
        reached = later[later["at"] >= later.entered_at].groupby("lead_id")["at"].min()
        cohort = (
            entered.to_frame("entered_at")
            .join(reached.rename("reached_at"))
            .reset_index()
            .merge(channels, on="lead_id")
        )
        pair = f"{stage}->{FUNNEL[i + 1]}"

        overall = learned.conversion[pair][ALL]
        assert overall.sample == len(cohort)
        assert overall.value == (
            Decimal(int(cohort.reached_at.notna().sum())) / len(cohort)
        ).quantize(Decimal("0.0001"))
        for code, group in cohort.groupby(
            "channel_channel__code" if "channel_channel__code" in cohort else "channel_code"
        ):
            figure = learned.conversion[pair][code]
            assert figure.sample == len(group)
            assert figure.value == (
                Decimal(int(group.reached_at.notna().sum())) / len(group)
            ).quantize(Decimal("0.0001"))
        made_it = cohort.dropna(subset=["reached_at"])
        median = ((made_it.reached_at - made_it.entered_at).dt.total_seconds() / 86400).median()
        assert learned.stage_days[pair][ALL].value == Decimal(str(round(median, 1)))


def test_deal_size_seasonality_and_cost_per_lead_match_pandas(history):
    learned = learn(organization=history, start=START, end=END)
    won = frame(
        Deal.objects.for_org(history).filter(
            status="won", closed_at__gte=WINDOW[0], closed_at__lt=WINDOW[1]
        ),
        "amount",
        "closed_at",
    )
    campaigns = frame(
        Campaign.objects.for_org(history).filter(start_date__gte=START, start_date__lt=END),
        "channel__code",
        "actual_cost",
    )
    leads = frame(
        Lead.objects.for_org(history).filter(
            created_at__gte=datetime(2025, 11, 1, tzinfo=UTC),
            created_at__lt=datetime(2026, 11, 1, tzinfo=UTC),
        ),
        "channel__code",
    )

    assert learned.average_deal_size[ALL].value == (sum(won.amount) / len(won)).quantize(
        Decimal("0.01")
    )
    assert learned.average_deal_size[ALL].sample == len(won)
    monthly = won.groupby(won.closed_at.dt.month).amount.agg(["sum", "count"])
    mean = sum(monthly["sum"]) / len(monthly)
    shrunk = {  # each month's weight, pulled toward 1 by SEASONALITY_PRIOR_DEALS = 6
        m: (row["count"] * row["sum"] / mean + 6) / (row["count"] + 6)
        for m, row in monthly.iterrows()
    }
    shrunk |= {m: Decimal(1) for m in range(1, 13) if m not in shrunk}
    scale = Decimal(12) / sum(shrunk.values())
    assert learned.seasonality == {
        m: (shrunk[m] * scale).quantize(Decimal("0.001")) for m in range(1, 13)
    }
    spend = campaigns.groupby("channel_code").actual_cost.sum()
    count = leads.groupby("channel_code").size()
    for code in ["paid_search", "social", "referral"]:
        expected = (Decimal(spend.get(code, Decimal(0))) / count[code]).quantize(Decimal("0.01"))
        assert learned.cost_per_lead[code].value == expected
    assert learned.cost_per_lead["referral"].value == Decimal(
        "0.00"
    )  # referrals cost nothing in the demo


def test_small_samples_are_flagged(org):
    lead_create(
        organization=org, by=None, stage="lead", created_at=datetime(2026, 3, 1, tzinfo=UTC)
    )

    learned = learn(organization=org, start=date(2026, 1, 1), end=date(2026, 6, 1))

    assert (
        learned.conversion["lead->mql"][ALL].warning
        == "only 1 leads entered lead: too few to trust"
    )
    assert learned.conversion["lead->mql"][ALL].value == Decimal("0.0000")
    assert learned.average_deal_size == {}
    assert "no won revenue in the window: months weigh the same" in learned.warnings


def test_another_organisations_history_is_not_learned(org, other_org):
    seed_crm_history(organization=other_org, today=date(2026, 11, 15))

    learned = learn(organization=org, start=START, end=END)

    assert learned.conversion["lead->mql"] == {}
    assert learned.average_deal_size == {}


def test_learned_assumptions_are_kept_until_the_facts_are_recomputed(
    history, django_assert_max_num_queries
):
    first = learn_cached(organization=history, start=START, end=END)

    with django_assert_max_num_queries(1):  # the facts' version, nothing from the CRM
        again = learn_cached(organization=history, start=START, end=END)
    Deal.objects.for_org(history).filter(status="won").update(amount=Decimal("1.00"))
    stale = learn_cached(organization=history, start=START, end=END)
    kpis_recompute_full(organization_id=history.pk)
    fresh = learn_cached(organization=history, start=START, end=END)

    assert again == first
    assert stale == first  # changed behind the CRM's back: no recompute, no new version
    assert fresh.average_deal_size[ALL].value == Decimal("1.00")
    assert fresh == learn(organization=history, start=START, end=END)
