"""The change journal's marks: which KPI cells a write makes stale."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
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
from crm.models import ChangedCell, Channel
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
        (datetime(2026, 1, 1).date(), social.pk),
    }


def day(month: int, date_: int) -> datetime:
    return datetime(2026, month, date_, 9, tzinfo=UTC)


def test_a_move_after_its_leads_history_marks_its_month_and_where_the_lead_went_on(org):
    social = Channel.objects.get(organization=org, code="social")
    ann = lead_create(
        organization=org, by=None, name="Ann", stage="lead", created_at=day(1, 12), channel=social
    )
    lead_change_stage(lead=ann, to_stage="sql", by=None, at=day(2, 5))
    lead_change_stage(lead=ann, to_stage="mql", by=None, at=day(3, 3))  # back a stage
    clear_marks(org.pk, every_mark(org.pk))

    lead_change_stage(lead=ann, to_stage="customer", by=None, at=day(4, 8))

    # April: customer and the stages between reached; February: sql, the furthest stage
    # Ann had entered, now converted. January (created) and March (back to mql) are as were.
    assert cells(org) == {(day(4, 1).date(), social.pk), (day(2, 1).date(), social.pk)}


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
