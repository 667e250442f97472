"""The KPI facts: what they count, kept fresh from the change journal, and checked against a
full recompute."""

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from crm.demo import seed_crm_history
from crm.journal import every_mark, mark_leads
from crm.models import Activity, Campaign, ChangedCell, ChangedConversion, Channel, Deal, Lead
from crm.services.deals import deal_create, deal_update, deal_win
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.records import record_create, record_update
from kpis.models import KpiFact, KpiState, PipelineFact
from kpis.recompute import (
    WHOLE_FROM_SHARE,
    _recompute_months,
    kpis_recompute_changed,
    kpis_recompute_full,
    kpis_recompute_waiting,
)
from kpis.scheduling import kpis_schedule, kpis_unschedule, scheduled_key
from kpis.selectors import kpi_rows, kpi_sums, response_minutes
from kpis.signals import facts_changed
from kpis.sql import FACT_COLUMNS
from kpis.tasks import kpis_recompute_task, kpis_sweep_task
from orgs.models import Role

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def story(org):
    """Three leads in January and February 2026, one campaign, one won and one lost deal."""
    paid = Channel.objects.for_org(org).get(code="paid_search")
    organic = Channel.objects.for_org(org).get(code="organic_search")
    campaign = record_create(
        Campaign,
        organization=org,
        name="Winter ads",
        channel=paid,
        start_date=date(2026, 1, 22),
        end_date=date(2026, 2, 10),  # 20 days: 10 in January, 10 in February
        actual_cost=Decimal("2000"),
    )
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", channel=paid,
        campaign=campaign, created_at=at("2026-01-10"),
    )  # fmt: skip
    lead_change_stage(lead=ann, to_stage="mql", by=None, at=at("2026-01-20"))
    record_create(
        Activity,
        organization=org,
        lead=ann,
        kind="call",
        at=at("2026-01-20") + timedelta(minutes=90),
    )
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=at("2026-02-05"))
    deal = deal_create(
        organization=org, by=None, lead=ann, amount=Decimal("1000"), created_at=at("2026-02-06")
    )
    deal_win(deal=deal, by=None, at=at("2026-03-15"))
    ben = lead_create(
        organization=org,
        by=None,
        name="Ben",
        stage="lead",
        channel=paid,
        created_at=at("2026-01-12"),
    )
    won = deal_create(organization=org, by=None, lead=ben, amount=Decimal("500"))
    deal_win(deal=won, by=None, at=at("2026-02-10"))  # Ben skips mql, sql and opportunity
    cy = lead_create(
        organization=org,
        by=None,
        name="Cy",
        stage="lead",
        channel=organic,
        created_at=at("2026-02-01"),
    )
    lead_change_stage(lead=cy, to_stage="mql", by=None, at=at("2026-02-02"))
    record_create(Activity, organization=org, lead=cy, kind="note", at=at("2026-02-02", 10))
    lost = deal_create(organization=org, by=None, lead=cy, amount=Decimal("800"))
    lost.status, lost.closed_at = Deal.Status.LOST, at("2026-02-20")
    lost.save()
    return org


def by_month(org):
    return {row["month"]: row for row in kpi_rows(org, group_by="month")}


def test_a_full_recompute_counts_what_the_dictionary_says(story):
    kpis_recompute_full(organization_id=story.pk)
    months = by_month(story)

    january, february, march = months["2026-01"], months["2026-02"], months["2026-03"]
    assert (january["leads"], february["leads"]) == (2, 1)
    # Ann reached mql in January; Ben, skipping it, in February through his won deal; Cy too.
    assert (january["mqls"], february["mqls"], march["mqls"]) == (1, 2, 0)
    assert (february["sqls"], february["opportunities"], march["opportunities"]) == (2, 1, 1)
    assert (february["won_deals"], february["lost_deals"], february["won_revenue"]) == (
        1,
        1,
        Decimal("500"),
    )
    assert february["win_rate"] == Decimal("0.5000")
    assert (march["won_revenue"], march["new_customers"], march["arpu"]) == (
        Decimal("1000"),
        1,
        Decimal("1000.00"),
    )
    assert (january["cost"], february["cost"]) == (Decimal("1000.00"), Decimal("1000.00"))
    assert january["cost_per_lead"] == Decimal("500.00")
    assert march["sales_cycle_days"] == Decimal("64.0")  # 10 January to 15 March


def test_response_times_start_at_the_handoff_and_skip_notes(story):
    kpis_recompute_full(organization_id=story.pk)

    handed_over, minutes = response_minutes(story)

    assert handed_over == 3  # Ann, Ben (through his win), Cy
    assert minutes == [90]  # Cy's note is no answer; nobody called Ben after his win


def test_campaign_rows_attribute_revenue_first_touch(story):
    kpis_recompute_full(organization_id=story.pk)

    rows = {row["campaign_name"]: row for row in kpi_rows(story, group_by="campaign")}

    winter = rows["Winter ads"]
    assert (winter["won_revenue"], winter["cost"]) == (Decimal("1000"), Decimal("2000.00"))
    assert winter["roi"] == Decimal("-0.5000")


def test_cohort_conversion_counts_leads_that_went_on(story):
    kpis_recompute_full(organization_id=story.pk)

    january = kpi_sums(story, group_by="month", stages=["lead", "mql"])[0]

    assert january["reached"] == {"lead": 2, "mql": 1}
    assert january["converted"] == {"lead": 2, "mql": 1}  # both moved on, in any month


def test_the_open_pipeline_is_kept_by_stage(org):
    lead = lead_create(organization=org, by=None, stage="lead", name="Di")
    deal_create(
        organization=org, by=None, lead=lead, amount=Decimal("300"), pipeline_stage="proposal"
    )

    kpis_recompute_full(organization_id=org.pk)

    row = PipelineFact.objects.for_org(org).get()
    assert (row.stage, row.deals, row.amount) == ("proposal", 1, Decimal("300.00"))


def pipeline(org):
    return {
        (row.channel_id, row.stage): (row.deals, row.amount)
        for row in PipelineFact.objects.for_org(org)
    }


def open_deal(org, name, channel, amount):
    """A lead in `channel` with an open deal of `amount` at the proposal stage."""
    lead = lead_create(organization=org, by=None, stage="lead", name=name, channel=channel)
    return deal_create(
        organization=org, by=None, lead=lead, amount=Decimal(amount), pipeline_stage="proposal"
    )


@pytest.fixture
def channels(org):
    return {c.code: c for c in Channel.objects.for_org(org)}


def test_an_open_deal_marks_its_channels_pipeline_and_no_month(org, channels):
    paid, referral = channels["paid_search"], channels["referral"]
    deal = open_deal(org, "Di", paid, "300")
    open_deal(org, "Eve", referral, "50")
    kpis_recompute_full(organization_id=org.pk)
    before = KpiFact.objects.for_org(org).count()

    deal_update(deal=deal, by=None, pipeline_stage="negotiation", amount=Decimal("350"))

    assert set(ChangedCell.objects.for_org(org).values_list("month", "channel_id")) == {
        (None, paid.pk)
    }
    kpis_recompute_changed(organization_id=org.pk)
    assert pipeline(org) == {
        (paid.pk, "negotiation"): (1, Decimal("350.00")),
        (referral.pk, "proposal"): (1, Decimal("50.00")),  # another channel, untouched
    }
    assert KpiFact.objects.for_org(org).count() == before
    assert not ChangedCell.objects.for_org(org).exists()


def test_winning_or_moving_a_lead_takes_its_deal_out_of_the_old_pipeline(org, channels):
    paid, referral = channels["paid_search"], channels["referral"]
    won = open_deal(org, "Di", paid, "300")
    moved = open_deal(org, "Eve", paid, "70")
    kpis_recompute_full(organization_id=org.pk)

    deal_win(deal=won, by=None)
    lead_update(lead=moved.lead, by=None, channel=referral)
    kpis_recompute_changed(organization_id=org.pk)

    assert pipeline(org) == {(referral.pk, "proposal"): (1, Decimal("70.00"))}
    incremental = pipeline(org)
    kpis_recompute_full(organization_id=org.pk)
    assert pipeline(org) == incremental


def test_changes_mark_the_cells_they_leave_and_enter(story):
    kpis_recompute_full(organization_id=story.pk)
    assert not ChangedCell.objects.for_org(story).exists()
    ben = Lead.objects.get(name="Ben")
    referral = Channel.objects.for_org(story).get(code="referral")

    lead_update(lead=ben, by=None, channel=referral)

    marked = set(ChangedCell.objects.for_org(story).values_list("month", "channel_id"))
    months = {date(2026, 1, 1), date(2026, 2, 1)}  # created in January, won in February
    assert marked == {(m, c) for m in months for c in (ben.channel_id, referral.pk)}


def test_an_incremental_recompute_equals_a_full_one(story, caplog):
    kpis_recompute_full(organization_id=story.pk)
    ann, cy = Lead.objects.get(name="Ann"), Lead.objects.get(name="Cy")
    lead_update(lead=cy, by=None, channel=ann.channel, created_at=at("2025-12-30"))
    lead_change_stage(lead=cy, to_stage="sql", by=None, at=at("2026-04-01"))
    deal = Deal.objects.get(lead=ann)
    deal_win(deal=deal, by=None, at=at("2026-04-02"), amount=Decimal("1200"))
    record_update(Campaign.objects.get(), actual_cost=Decimal("3000"), end_date=date(2026, 3, 1))

    done = kpis_recompute_changed(organization_id=story.pk)

    assert done.cells
    assert not ChangedCell.objects.for_org(story).exists()
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=story.pk, check=True) == 0
    assert by_month(story)["2026-04"]["won_revenue"] == Decimal("1200")


def test_the_check_finds_and_repairs_a_drifted_cell(story, caplog):
    kpis_recompute_full(organization_id=story.pk)
    KpiFact.objects.for_org(story).filter(month=date(2026, 3, 1)).update(won_revenue=1)

    with caplog.at_level(logging.ERROR, logger="kpis.recompute"):
        differences = kpis_recompute_full(organization_id=story.pk, check=True)

    assert differences == 2  # the stored cell and the recomputed one
    assert "cells differ" in caplog.text
    assert by_month(story)["2026-03"]["won_revenue"] == Decimal("1000")
    assert KpiState.objects.get(organization=story).last_check_differences == 2


def test_the_check_finds_and_repairs_a_drifted_pipeline(org, channels, caplog):
    open_deal(org, "Di", channels["paid_search"], "300")
    kpis_recompute_full(organization_id=org.pk)
    PipelineFact.objects.for_org(org).update(deals=5)

    with caplog.at_level(logging.ERROR, logger="kpis.recompute"):
        differences = kpis_recompute_full(organization_id=org.pk, check=True)

    assert differences == 2
    assert "2 pipeline rows differ" in caplog.text
    assert pipeline(org) == {(channels["paid_search"].pk, "proposal"): (1, Decimal("300.00"))}


def test_a_change_during_a_run_stays_marked_for_the_next(story):
    lead = Lead.objects.get(name="Ben")
    marks_seen = list(ChangedCell.objects.for_org(story).values_list("token", flat=True))

    lead_update(lead=lead, by=None, name="Benjamin")  # no cell changes: nothing marked anew
    lead_change_stage(lead=lead, to_stage="disqualified", by=None)  # marks again: new tokens
    kpis_recompute_changed(organization_id=story.pk)

    assert marks_seen
    assert not ChangedCell.objects.for_org(story).exists()


def test_recomputing_twice_gives_the_same_facts(story):
    kpis_recompute_changed(organization_id=story.pk)
    first = list(KpiFact.objects.for_org(story).order_by("month", "channel", "campaign").values())
    lead_update(lead=Lead.objects.get(name="Ann"), by=None, name="Ann B.")  # marks nothing
    ChangedCell.objects.for_org(story).delete()
    kpis_recompute_full(organization_id=story.pk)

    again = list(KpiFact.objects.for_org(story).order_by("month", "channel", "campaign").values())
    assert [dict(r, id=0) for r in first] == [dict(r, id=0) for r in again]


class Sends:
    """Stands in for the broker: counts what would be sent, or fails like a broker that is down."""

    def __init__(self, fail: bool = False):
        self.calls: list[dict] = []
        self.fail = fail

    def __call__(self, *args, **kwargs):
        if self.fail:
            raise OSError("broker down")
        self.calls.append(kwargs)


def test_changes_schedule_one_recompute_until_it_starts(
    org, django_capture_on_commit_callbacks, monkeypatch
):
    sends = Sends()
    monkeypatch.setattr(kpis_recompute_task, "apply_async", sends)
    cache.delete(scheduled_key(org.pk))

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(30):
            lead_create(organization=org, by=None, stage="lead", name=f"L{i}")

    assert len(sends.calls) == 1
    assert sends.calls[0]["countdown"] == 2
    kpis_unschedule(organization_id=org.pk)  # what the task does first
    assert kpis_schedule(organization_id=org.pk) is True


def test_a_broker_down_leaves_the_marks_for_the_sweep(org, monkeypatch):
    monkeypatch.setattr(kpis_recompute_task, "apply_async", Sends(fail=True))
    cache.delete(scheduled_key(org.pk))
    lead_create(organization=org, by=None, stage="lead", name="Kept")

    conf = kpis_recompute_task.app.conf
    conf.task_always_eager = False  # as with a broker
    try:
        sent = kpis_schedule(organization_id=org.pk)
    finally:
        conf.task_always_eager = True

    assert sent is False
    assert Lead.objects.for_org(org).filter(name="Kept").exists()
    assert ChangedCell.objects.for_org(org).exists()
    assert cache.get(scheduled_key(org.pk)) is None  # the sweep may schedule it again


def test_the_sweep_recomputes_what_waited_too_long(org):
    lead_create(organization=org, by=None, stage="lead", name="Waiting")
    ChangedCell.objects.for_org(org).update(marked_at=datetime(2026, 1, 1, tzinfo=UTC))
    cache.delete(scheduled_key(org.pk))

    kpis_sweep_task()  # eager here: the recompute runs at once

    assert not ChangedCell.objects.for_org(org).exists()
    assert KpiFact.objects.for_org(org).get().leads == 1
    assert KpiState.objects.get(organization=org).as_of is not None


def test_the_command_recomputes_one_organisation(org, capsys):
    seed_crm_history(organization=org, today=date(2026, 11, 15))  # in SQL: marks nothing
    lead_create(organization=org, by=None, stage="lead", name="Marked")

    call_command("recompute_kpis", "--org", org.slug, "--full")
    first = capsys.readouterr().out
    call_command("recompute_kpis", "--org", org.slug)
    changed = capsys.readouterr().out
    call_command("recompute_kpis", "--org", org.slug, "--full")
    again = capsys.readouterr().out

    assert "every cell" in first  # nothing was stored before: it differed
    assert "0 changed cells" in changed  # the full run cleared the mark
    assert "0 differences" in again
    assert KpiFact.objects.for_org(org).exists()


def test_the_command_names_an_unknown_organisation(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no-such-org"):
        call_command("recompute_kpis", "--org", "no-such-org")


@pytest.fixture
def owned(story, member):
    """The story's leads owned: Ann and Ben by one rep, Cy by another; Ben's won deal is
    owned by the second rep."""
    ada, bo = member(Role.SALES_REP).user, member(Role.SALES_REP).user
    for name, owner in [("Ann", ada), ("Ben", ada), ("Cy", bo)]:
        lead_update(lead=Lead.objects.get(name=name), by=None, owner=owner)
    deal_update(deal=Deal.objects.get(lead__name="Ben"), by=None, owner=bo)
    return story, ada, bo


def test_the_facts_are_kept_per_owner(owned):
    org, ada, bo = owned
    kpis_recompute_full(organization_id=org.pk)

    ada_total = kpi_sums(org, group_by=None, owner=ada.pk, stages=["lead", "mql"])[0]
    bo_total = kpi_sums(org, group_by=None, owner=bo.pk, stages=["lead", "mql"])[0]
    everyone = kpi_sums(org, group_by=None, stages=["lead", "mql"])[0]

    assert (ada_total["leads"], bo_total["leads"]) == (2, 1)
    assert (ada_total["reached"], bo_total["reached"]) == (
        {"lead": 2, "mql": 2},
        {"lead": 1, "mql": 1},
    )
    # a deal counts for its own owner: Ben's win is Bo's, Ann's (no owner of its own) Ada's
    assert (ada_total["won_revenue"], bo_total["won_revenue"]) == (Decimal(1000), Decimal(500))
    assert bo_total["lost_deals"] == 1
    assert response_minutes(org, owner=ada.pk) == (2, [90])
    # the campaign's cost belongs to no owner, but to everyone's total
    assert ada_total["cost"] == bo_total["cost"] == 0
    assert everyone["cost"] == Decimal("2000.00")
    for summed in ("leads", "won_deals", "lost_deals", "won_revenue", "handed_over"):
        assert ada_total[summed] + bo_total[summed] == everyone[summed], summed


def test_an_owner_change_moves_the_counts_as_a_full_recompute_would(owned, caplog):
    org, ada, bo = owned
    kpis_recompute_full(organization_id=org.pk)

    lead_update(lead=Lead.objects.get(name="Ann"), by=None, owner=bo)
    kpis_recompute_changed(organization_id=org.pk)

    assert kpi_sums(org, group_by=None, owner=ada.pk)[0]["leads"] == 1
    assert kpi_sums(org, group_by=None, owner=bo.pk)[0]["leads"] == 2
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


def test_the_open_pipeline_is_kept_per_owner(org, channels, member):
    ada, bo = member(Role.SALES_REP).user, member(Role.SALES_REP).user
    mine = open_deal(org, "Di", channels["paid_search"], "300")
    theirs = open_deal(org, "Eve", channels["paid_search"], "70")
    lead_update(lead=mine.lead, by=None, owner=ada)
    deal_update(deal=theirs, by=None, owner=bo)
    kpis_recompute_full(organization_id=org.pk)

    rows = PipelineFact.objects.for_org(org).values_list("owner_id", "deals", "amount")

    assert sorted(rows) == sorted([(ada.pk, 1, Decimal("300.00")), (bo.pk, 1, Decimal("70.00"))])


def test_in_process_a_run_over_most_months_recomputes_in_full_and_equals_it(org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))  # in SQL: marks nothing
    kpis_recompute_full(organization_id=org.pk)
    months = sorted(set(KpiFact.objects.for_org(org).values_list("month", flat=True)))
    stored = KpiState.objects.get(organization=org).last_full_at
    assert stored is not None
    one_lead = Lead.objects.for_org(org).order_by("pk").first()
    lead_update(lead=one_lead, by=None, name="Renamed")
    assert kpis_recompute_waiting(organization_id=org.pk).months  # a few months: incremental
    assert KpiState.objects.get(organization=org).last_full_at == stored
    with connection.cursor() as cursor:  # as an import touching every lead would mark
        cursor.execute("SELECT id FROM crm_lead WHERE organization_id = %s", [org.pk])
        ids = [row[0] for row in cursor.fetchall()]
    mark_leads(org.pk, ids)

    done = kpis_recompute_waiting(organization_id=org.pk)

    last_full = KpiState.objects.get(organization=org).last_full_at
    assert last_full is not None
    assert last_full > stored  # in full
    assert len(done.months) >= WHOLE_FROM_SHARE * len(months)  # the months it announces
    assert not ChangedCell.objects.for_org(org).exists()
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_moves_in_any_order_keep_the_incremental_facts_equal_to_a_full_recompute(
    org, member, caplog, seed
):
    """Leads of three channels and three owners (one of them none) moved forward, back, out
    of the funnel and at dates within their history, and deals won, each round recomputed
    from its marks and conversions only: a move marks its own month and counts its lead's
    conversion from its furthest stage, or marks every month of the lead when dated within
    its history (crm.journal._MOVE_MONTHS); the full check finds no cell they missed."""
    import random

    rng = random.Random(seed)
    channels = list(Channel.objects.for_org(org).order_by("code"))[:3]
    owners = [None, member().user, member().user]
    stages = ["lead", "mql", "sql", "opportunity", "customer", "disqualified", "recycled"]
    start = at("2025-01-06")
    leads = [
        lead_create(
            organization=org,
            by=None,
            name=f"L{i}",
            stage="lead",
            channel=rng.choice(channels),
            owner=rng.choice(owners),
            created_at=start + timedelta(days=rng.randrange(0, 200)),
        )
        for i in range(10)
    ]
    for lead in leads:
        record_create(
            Activity, organization=org, lead=lead, kind="call",
            at=lead.created_at + timedelta(days=rng.randrange(1, 90)),
        )  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    for _round in range(20):
        for lead in rng.sample(leads, 1 + _round % 4):
            lead.refresh_from_db()
            last = lead.stage_changed_at or lead.created_at
            if rng.random() < 0.3:  # within its history
                when = lead.created_at + (last - lead.created_at) * rng.random()
            else:
                when = last + timedelta(days=rng.randrange(1, 80))
            if rng.random() < 0.3:
                deal = deal_create(organization=org, by=None, lead=lead, amount=Decimal("100"))
                deal_win(deal=deal, by=None, at=max(when, lead.created_at))
            else:
                lead_change_stage(lead=lead, to_stage=rng.choice(stages), by=None, at=when)
        kpis_recompute_changed(organization_id=org.pk)
        with caplog.at_level(logging.ERROR):
            assert kpis_recompute_full(organization_id=org.pk, check=True) == 0, caplog.text


def test_a_move_dated_before_a_stage_the_lead_reached_later_moves_that_stage_back(org, caplog):
    """Ann reached sql in March and the opportunity in May; a move to mql dated in
    February makes February the month she first reached mql, no longer March: a month
    neither the move's nor the furthest stage's, which only marking all her months finds."""
    paid = Channel.objects.for_org(org).get(code="paid_search")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", channel=paid,
        created_at=at("2026-01-12"),
    )  # fmt: skip
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=at("2026-03-05"))
    lead_change_stage(lead=ann, to_stage="opportunity", by=None, at=at("2026-05-05"))
    kpis_recompute_full(organization_id=org.pk)
    assert by_month(org)["2026-03"]["mqls"] == 1

    lead_change_stage(lead=ann, to_stage="mql", by=None, at=at("2026-02-02"))
    kpis_recompute_changed(organization_id=org.pk)

    facts = by_month(org)
    assert (facts["2026-02"]["mqls"], facts["2026-03"]["mqls"]) == (1, 0)
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=org.pk, check=True) == 0


def at_sql_since_february(org):
    """Ann, a paid-search lead of January at sql since February, her facts recomputed."""
    paid = Channel.objects.for_org(org).get(code="paid_search")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", channel=paid,
        created_at=at("2026-01-12"),
    )  # fmt: skip
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=at("2026-02-05"))
    kpis_recompute_full(organization_id=org.pk)
    return ann


def test_a_conversion_is_counted_once_whichever_comes_first(org, caplog):
    """Ann's win converts her from sql in February (a conversion waiting, crm.journal), and
    another lead marks February: added first, then recomputed, or recomputed first (its
    statement counts the move and drops the conversion), February counts her once."""
    ann = at_sql_since_february(org)
    assert conversions(org, "2026-02", "sql") == 0

    lead_change_stage(lead=ann, to_stage="opportunity", by=None, at=at("2026-04-08"))
    assert ChangedConversion.objects.for_org(org).count() == 1
    assert not ChangedCell.objects.for_org(org).filter(month=date(2026, 2, 1)).exists()
    # added, February not recomputed but announced
    assert kpis_recompute_changed(organization_id=org.pk).months == [
        date(2026, 2, 1),
        date(2026, 4, 1),
    ]
    assert conversions(org, "2026-02", "sql") == 1
    assert not ChangedConversion.objects.for_org(org).exists()

    lead_change_stage(lead=ann, to_stage="customer", by=None, at=at("2026-05-08"))
    lead_create(
        organization=org, by=None, name="Bob", stage="lead", channel=ann.channel,
        created_at=at("2026-04-20"),
    )  # fmt: skip
    marks = [mark for mark in every_mark(org.pk) if mark[0] == date(2026, 4, 1)]
    _recompute_months(org.pk, [date(2026, 4, 1)], marks)  # before the conversion is added
    assert not ChangedConversion.objects.for_org(org).exists()  # counted there
    assert conversions(org, "2026-04", "opportunity") == 1
    kpis_recompute_changed(organization_id=org.pk)
    assert conversions(org, "2026-04", "opportunity") == 1
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=org.pk, check=True) == 0, caplog.text


def conversions(org, month, stage):
    return sum(
        fact.converted.get(stage, 0)
        for fact in KpiFact.objects.for_org(org).filter(month=date.fromisoformat(f"{month}-01"))
    )


def test_a_conversion_without_its_cell_marks_the_cell(org, caplog):
    """A conversion whose cell is not stored (its facts deleted behind the journal's back)
    is not lost: its cell is marked, and recomputed in the same run."""
    paid = Channel.objects.for_org(org).get(code="paid_search")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", channel=paid,
        created_at=at("2026-01-12"),
    )  # fmt: skip
    kpis_recompute_full(organization_id=org.pk)
    KpiFact.objects.for_org(org).filter(month=date(2026, 1, 1)).delete()

    lead_change_stage(lead=ann, to_stage="mql", by=None, at=at("2026-03-02"))
    done = kpis_recompute_changed(organization_id=org.pk)

    assert done.months == [date(2026, 1, 1), date(2026, 3, 1)]
    assert conversions(org, "2026-01", "lead") == 1
    assert not ChangedCell.objects.for_org(org).exists()
    assert not ChangedConversion.objects.for_org(org).exists()
    with caplog.at_level(logging.ERROR):
        assert kpis_recompute_full(organization_id=org.pk, check=True) == 0, caplog.text


def test_the_month_a_conversion_changes_is_announced(org, django_capture_on_commit_callbacks):
    """February's converted[sql] goes from 0 to 1 without a recompute of February: whoever
    reads the facts (learned plans, the SLA, webhooks) hears of February all the same."""
    ann = at_sql_since_february(org)
    heard: list[date] = []

    def listen(sender, organization_id, months, **kwargs):
        heard.extend(months)

    facts_changed.connect(listen, dispatch_uid="test-listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lead_change_stage(lead=ann, to_stage="opportunity", by=None, at=at("2026-04-08"))
    finally:
        facts_changed.disconnect(dispatch_uid="test-listen")

    assert sorted(set(heard)) == [date(2026, 2, 1), date(2026, 4, 1)]
    assert conversions(org, "2026-02", "sql") == 1


def test_thousands_of_conversions_waiting_are_added_at_once(org):
    """A worker down for a while: 4,000 conversions in as many cells of one month are all
    added by one run (joined by hash: by nested loops, each looked for among all the others)."""
    seed_crm_history(organization=org, today=date(2026, 12, 1))
    kpis_recompute_full(organization_id=org.pk)
    one = KpiFact.objects.for_org(org).filter(reached__has_key="lead").order_by("month").first()
    columns = [c for c in FACT_COLUMNS if c != "owner_id"]
    with connection.cursor() as cursor:  # 4,000 owners' cells like `one`, and a conversion each
        listed = ", ".join(columns)  # the facts' own column names
        copies = f"INSERT INTO funnel_kpifact ({listed}, owner_id) SELECT {listed}, 1000000 + g"
        cursor.execute(
            copies + " FROM funnel_kpifact, generate_series(1, 4000) g WHERE id = %s", [one.pk]
        )
        cursor.execute(
            "INSERT INTO crm_changedconversion (organization_id, change_id, month, channel_id,"
            " campaign_id, owner_id, stage, converted, marked_at) SELECT %s, 9000000 + g, %s, %s,"
            " %s, 1000000 + g, 'lead', 1, now() FROM generate_series(1, 4000) g",
            [org.pk, one.month, one.channel_id, one.campaign_id],
        )
    before = one.converted.get("lead", 0)

    done = kpis_recompute_changed(organization_id=org.pk)

    assert done.months == [one.month]
    added = KpiFact.objects.for_org(org).filter(owner_id__gt=1000000)
    assert sorted({fact.converted["lead"] for fact in added}) == [before + 1]
    assert added.count() == 4000
    assert not ChangedConversion.objects.for_org(org).exists()
