"""The change journal's marks: which KPI cells a write makes stale."""

import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from crm.journal import (
    clear_marks,
    every_mark,
    mark_deals,
    mark_deals_and_moves,
    mark_moves,
    marks_held,
    oldest_marks,
)
from crm.models import ChangedCell, ChangedConversion, Channel, LeadStageChange
from crm.services.deals import deal_create
from crm.services.leads import lead_change_stage, lead_create

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 10, tzinfo=UTC)


def cells(org):
    return {(month, channel) for month, channel, _token in every_mark(org.pk)}


def test_deals_and_moves_marked_at_once_mark_what_each_would(org):
    social, email = (Channel.objects.get(organization=org, code=c) for c in ("social", "email"))
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="mql", created_at=T0, channel=social
    )
    move = lead_change_stage(lead=ann, to_stage="sql", by=None, at=datetime(2026, 2, 5, tzinfo=UTC))
    bob = lead_create(
        organization=org, by=None, name="Bob", stage="lead", created_at=T0, channel=email
    )
    won = deal_create(
        organization=org, by=None, lead=bob, status="won", created_at=T0,
        closed_at=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip
    open_deal = deal_create(organization=org, by=None, name="No lead")
    clear_marks(org.pk, every_mark(org.pk))

    mark_deals(org.pk, [won.pk, open_deal.pk])
    mark_moves(org.pk, [move.pk])
    apart = cells(org)
    clear_marks(org.pk, every_mark(org.pk))
    mark_deals_and_moves(org.pk, [won.pk, open_deal.pk], [move.pk])

    assert cells(org) == apart
    assert apart == {
        (datetime(2026, 3, 1).date(), email.pk),
        (None, None),
        (datetime(2026, 2, 1).date(), social.pk),  # the move: Ann reached sql
    }
    # Ann went on from mql, reached in January: one conversion, however often marked; Bob
    # from lead, when his won deal made him a customer
    bob_won = LeadStageChange.objects.get(lead=bob, to_stage="customer")
    assert sorted(conversions(org)) == [
        (date(2026, 1, 1), social.pk, None, None, "mql", move.pk),
        (date(2026, 1, 1), email.pk, None, None, "lead", bob_won.pk),
    ]


def conversions(org):
    return list(
        ChangedConversion.objects.for_org(org)
        .values_list("month", "channel_id", "campaign_id", "owner_id", "stage", "change_id")
        .filter(converted=1)
    )


def day(month: int, date_: int) -> datetime:
    return datetime(2026, month, date_, 9, tzinfo=UTC)


def test_a_move_after_its_leads_history_marks_its_month_and_counts_where_the_lead_went_on(
    org, member
):
    social = Channel.objects.get(organization=org, code="social")
    owner = member().user
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12),
        channel=social, owner=owner,
    )  # fmt: skip
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(2, 5))
    lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(3, 3))  # back a stage
    clear_marks(org.pk, every_mark(org.pk))
    ChangedConversion.objects.for_org(org).delete()

    move = lead_change_stage(lead=ann, to_stage="customer", by=None, at=day(4, 8))

    # April: customer and the stages between reached. February: sql, the furthest stage
    # Ann had entered, now converted, one count in her cell (channel, campaign, owner) and
    # nothing else there. January (created) and March (back to mql) are as were.
    assert cells(org) == {(day(4, 1).date(), social.pk)}
    assert conversions(org) == [(day(2, 1).date(), social.pk, None, owner.pk, "sql", move.pk)]


def test_a_move_back_or_to_an_exit_converts_nothing_but_is_heard_of_where_the_lead_went_on(
    org,
):
    """The month of Ann's furthest stage counts no conversion more, but whoever reads that
    month's leads (the SLA: a rejection back to marketing) hears of the move."""
    social = Channel.objects.get(organization=org, code="social")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12), channel=social
    )
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(2, 5))
    ChangedConversion.objects.for_org(org).delete()

    lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(3, 3))  # back a stage
    lead_change_stage(lead=ann, to_stage="disqualified", by=None, at=day(4, 3))
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(5, 3))  # entered before

    assert {
        (month, stage, converted)
        for month, stage, converted in ChangedConversion.objects.for_org(org).values_list(
            "month", "stage", "converted"
        )
    } == {(day(2, 1).date(), "sql", 0)}
    assert ChangedConversion.objects.for_org(org).count() == 3


def test_a_move_dated_within_its_leads_history_marks_every_month_of_the_lead(org):
    social = Channel.objects.get(organization=org, code="social")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12), channel=social
    )
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(3, 5))
    lead_change_stage(lead=ann, to_stage="opportunity", by=None, at=day(5, 5))
    clear_marks(org.pk, every_mark(org.pk))

    lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(2, 2))  # before March's sql

    assert cells(org) == {(day(m, 1).date(), social.pk) for m in (1, 2, 3, 5)}


def marked_at(org):
    return dict(
        ChangedCell.objects.for_org(org).values_list("month", "marked_at").order_by("month")
    )


def test_a_cell_marked_again_stays_stale_since_its_first_mark(org):
    social = Channel.objects.get(organization=org, code="social")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12), channel=social
    )
    first = marked_at(org)

    lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(1, 20))  # January again
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(2, 3))

    again = marked_at(org)
    assert again[day(1, 1).date()] == first[day(1, 1).date()]
    assert again[day(2, 1).date()] > first[day(1, 1).date()]
    # The month marked first is recomputed first, however often it was marked since.
    assert next(month for month, _channel, _token in oldest_marks(org.pk)) == day(1, 1).date()


@pytest.mark.django_db(transaction=True)
def test_a_cell_marked_again_while_recomputed_is_stale_since_the_clearing_began(org):
    social = Channel.objects.get(organization=org, code="social")
    with marks_held(org.pk):  # no recompute runs in-process meanwhile, as a worker's would
        ann = lead_create(
            organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12),
            channel=social,
        )  # fmt: skip
        read = every_mark(org.pk)  # a recompute reads the marks ...
        lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(1, 20))  # ... one marked again
        remarked = timezone.now()

        with transaction.atomic():
            clearing = timezone.now()
            clear_marks(org.pk, read)  # ... and the run clears what it read

        kept = ChangedCell.objects.for_org(org).get()
    assert kept.token != read[0][2]
    assert remarked <= kept.marked_at <= clearing + timedelta(seconds=1)


MARK_AGAIN = (
    "INSERT INTO crm_changedcell (organization_id, month, channel_id, token, marked_at) "
    "VALUES (%s, %s, %s, gen_random_uuid(), clock_timestamp()) "
    "ON CONFLICT (organization_id, month, channel_id) DO UPDATE SET token = EXCLUDED.token"
)


def another_connection(**options):
    params = connection.get_connection_params()
    keys = {"dbname", "user", "host", "port", "password"}
    return psycopg.connect(**{k: v for k, v in params.items() if k in keys}, **options)


@pytest.mark.django_db(transaction=True)
def test_clearing_a_span_never_waits_for_a_writer_marking_its_months(org):
    """A writer marks February, then April in a later statement of its transaction (a lead
    updated and moved, a merge, an import wave); a recompute of February to April read both
    marks, April's marked again since. Its clearing must not hold April while waiting for
    February: the writer would wait for April, a deadlock. It skips February, which the
    writer is marking again, and clears the rest."""
    february, april = date(2026, 2, 1), date(2026, 4, 1)
    social = Channel.objects.get(organization=org, code="social").pk
    for month in (february, april):
        ChangedCell.objects.create(
            organization=org, month=month, channel_id=social, token=uuid.uuid4(),
            marked_at=timezone.now(),
        )  # fmt: skip
    read = oldest_marks(org.pk)
    with another_connection(autocommit=True) as earlier:
        earlier.execute(MARK_AGAIN, [org.pk, april, social])

    with another_connection() as writer:
        writer.execute(MARK_AGAIN, [org.pk, february, social])  # holds February
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")  # a failure, not a hang
            clear_marks(org.pk, read)  # February skipped: no wait
        writer.execute(MARK_AGAIN, [org.pk, april, social])
        writer.commit()

    left = dict(ChangedCell.objects.for_org(org).values_list("month", "token"))
    assert set(left) == {february, april}  # both marked again: both wait for the next run
    assert left[february] != read[0][2]


def test_clearing_many_marks_joins_them_by_hash(org):
    """A full recompute clears every mark of the organisation, a hundred thousand after an
    import: matched one pair at a time (month and channel may be NULL), 8,000 marks took
    3.5 s. Statistics are not taken first: they may be stale."""
    ChangedCell.objects.bulk_create(
        ChangedCell(
            organization=org,
            month=date(1990 + m // 12, m % 12 + 1, 1),
            channel_id=c,
            token=uuid.uuid4(),
            marked_at=timezone.now(),
        )
        for m in range(100)
        for c in range(50)
    )
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    marks = oldest_marks(org.pk)
    with connection.execute_wrapper(capture):
        clear_marks(org.pk, marks)
    sql, params = statements[-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Hash Cond: ((COALESCE(s.month" in plan, plan
    assert "Join Filter" not in plan, plan
    assert not ChangedCell.objects.for_org(org).exists()
