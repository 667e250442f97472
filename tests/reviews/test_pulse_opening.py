"""The beat opens each organisation's pulse at the start of its period in its own time zone,
monthly or quarterly, for 14 days; it is announced once, to the members who answer it,
however many runs see it; and a real worker does the same through Redis."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from orgs.models import Role
from reviews.models import Event, Notification, Pulse, PulseSchedule
from reviews.services.pulse import pulse_open, pulse_schedule_set, pulses_open_due
from reviews.tasks import pulses_open_due_task
from sla.services import calendar_update
from smarketing.lib.events import Kind
from tests.factories import OrganizationFactory
from tests.reviews.pulse_fixtures import two_teams
from tests.workers import real_worker

pytestmark = pytest.mark.django_db

AUCKLAND = ZoneInfo("Pacific/Auckland")
# 13:00 UTC on 31 May 2026 is 01:00 on 1 June in Auckland (UTC+12 in its winter).
LATE_MAY = datetime(2026, 5, 31, 13, 0, tzinfo=UTC)


def in_zone(organization, zone):
    calendar_update(organization=organization, time_zone=zone, working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip


def test_each_organisation_s_pulse_opens_at_its_own_midnight(org, member, other_org):
    teams = two_teams(member)
    in_zone(org, "Pacific/Auckland")  # already June there
    in_zone(other_org, "Europe/Rome")  # still 31 May, past May's first 14 days

    opened = pulses_open_due(now=LATE_MAY)

    pulse = Pulse.objects.get()
    assert opened == 1
    assert pulse.organization_id == org.pk
    assert pulse.period == date(2026, 6, 1)
    assert pulse.cadence == "monthly"
    assert pulse.opens_at == LATE_MAY
    assert pulse.closes_at == datetime(2026, 6, 15, tzinfo=AUCKLAND)
    event = Event.objects.get()
    assert (event.kind, event.key, event.link) == (
        Kind.PULSE_OPEN,
        f"pulse.opened:{pulse.pk}",
        "/reviews/pulse/",
    )
    assert event.data == {"pulse_id": pulse.pk, "period": "2026-06-01", "cadence": "monthly",
                          "closes": "2026-06-14"}  # fmt: skip
    askable = {m.user_id for m in teams["marketing"] + teams["sales"]}
    assert set(Notification.objects.values_list("user_id", flat=True)) == askable


def test_a_second_run_opens_nothing_and_tells_nobody_again(org, member):
    two_teams(member)
    in_zone(org, "Pacific/Auckland")

    first = pulses_open_due(now=LATE_MAY)
    again = pulses_open_due(now=LATE_MAY.replace(hour=14))

    assert (first, again) == (1, 0)
    assert Pulse.objects.count() == 1
    assert Event.objects.filter(kind=Kind.PULSE_OPEN).count() == 1
    assert Notification.objects.count() == 6  # three marketing, three sales, once each


def test_a_quarterly_pulse_opens_with_its_quarter_and_not_in_its_other_months(org, member):
    two_teams(member)
    pulse_schedule_set(organization=org, cadence="quarterly")

    in_may = pulses_open_due(now=datetime(2026, 5, 2, 9, tzinfo=UTC))
    in_july = pulses_open_due(now=datetime(2026, 7, 1, 9, tzinfo=UTC))

    pulse = Pulse.objects.get()
    assert (in_may, in_july) == (0, 1)
    assert (pulse.period, pulse.cadence) == (date(2026, 7, 1), "quarterly")
    assert pulse.closes_at == datetime(2026, 7, 15, tzinfo=UTC)
    assert PulseSchedule.objects.get().cadence == "quarterly"


def test_the_next_pulse_waits_for_the_last_one_to_close(org, member):
    two_teams(member)

    # Opened by hand on 25 May, it runs to the end of May; June's opens on 1 June.
    by_hand = pulse_open(organization=org, now=datetime(2026, 5, 25, 10, tzinfo=UTC))
    june = pulses_open_due(now=datetime(2026, 6, 1, 0, 30, tzinfo=UTC))

    assert by_hand.closes_at == datetime(2026, 6, 1, tzinfo=UTC)
    assert june == 1
    assert list(Pulse.objects.order_by("period").values_list("period", flat=True)) == [
        date(2026, 5, 1), date(2026, 6, 1)
    ]  # fmt: skip


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_opens_the_pulse_once_and_tells_each_member_once(member):
    organization = OrganizationFactory()
    in_zone(organization, "Pacific/Auckland")
    teams = two_teams(member, organization)
    leadership = teams["leadership"]

    with real_worker() as worker:
        pulses_open_due_task.delay(LATE_MAY.isoformat())  # already June in Auckland
        pulses_open_due_task.delay(LATE_MAY.isoformat())  # a second beat, or a redelivery
        told = worker.wait_until(
            lambda: (
                Notification.objects.exists()
                and not Notification.objects.filter(emailed_at__isnull=True, by_email=True).exists()
                and Event.objects.filter(dispatched_at__isnull=False).exists()
            )
        )

    assert told, worker.output
    assert len(re.findall(r"pulses_open_due_task\[[^\]]+\] succeeded", "".join(worker.output))) == 2
    assert Pulse.objects.filter(organization_id=organization.pk).count() == 1
    assert Event.objects.filter(kind=Kind.PULSE_OPEN).count() == 1
    recipients = list(Notification.objects.values_list("user_id", flat=True))
    assert sorted(recipients) == sorted(m.user_id for m in teams["marketing"] + teams["sales"])
    assert leadership.user_id not in recipients
    assert leadership.role == Role.LEADERSHIP
