"""Writes of the alignment pulse: its cadence, opening a period's pulse (by the beat at the
start of each period in the organisation's time zone, or by a manager), and a member's
answers, stored apart from the record that they answered. Bad input is a ValidationError
(the API's 400, the form's error) and nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext as _

from objectives.selectors import team_of
from orgs.models import Membership, Organization
from reviews.models import Cadence, Pulse, PulseAnswer, PulseParticipation, PulseSchedule
from reviews.pulse import STATEMENTS, closing_day, due_to_open, period_of
from reviews.selectors.pulse import (
    answering_members,
    has_answered,
    open_pulse,
    schedule_of,
    zone_of,
)
from smarketing.lib.events import Happening, Kind, announce
from smarketing.lib.formatting import month_label

# Organisations read per batch by the beat's opening run.
OPEN_BATCH = 200


def pulse_schedule_set(*, organization: Organization, cadence: str) -> PulseSchedule:
    """Ask the pulse monthly or quarterly from the next opening on."""
    schedule = schedule_of(organization)
    schedule.cadence = cadence
    schedule.updated_at = timezone.now()
    schedule.full_clean(validate_unique=False, validate_constraints=False)
    schedule.save()
    return schedule


@transaction.atomic
def pulse_open(*, organization: Organization, now: datetime) -> Pulse:
    """Open the pulse of the period `now` falls in (in the organisation's time zone and
    cadence) until ANSWER_DAYS later or its period's end, and tell the members who answer
    it, in this transaction. Refused while another pulse is open, or if the period had one."""
    zone = zone_of(organization)
    today = now.astimezone(zone).date()
    cadence = schedule_of(organization).cadence
    period = period_of(today, cadence)
    running = open_pulse(organization, now)
    if running is not None:
        raise ValidationError(
            _("The pulse of %(period)s is open until %(day)s.")
            % {"period": month_label(running.period), "day": _last_day(running, zone)},
            code="open",
        )
    closes = datetime.combine(closing_day(period, cadence, today), time(0), tzinfo=zone)
    pulse = Pulse(organization=organization, period=period, cadence=cadence, opens_at=now,
                  closes_at=closes)  # fmt: skip
    try:
        with transaction.atomic():
            pulse.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            _("The pulse of %(period)s was already held: the next opens with the next period.")
            % {"period": month_label(period)},
            code="held",
        ) from None
    announce(Happening(
        organization_id=organization.pk, kind=Kind.PULSE_OPEN, key=f"pulse.opened:{pulse.pk}",
        data={"pulse_id": pulse.pk, "period": period.isoformat(), "cadence": cadence,
              "closes": (closes.date() - timedelta(days=1)).isoformat()},
        recipients=answering_members(organization), link="/reviews/pulse/",
    ))  # fmt: skip
    return pulse


def _last_day(pulse: Pulse, zone: ZoneInfo) -> str:
    """The last day a pulse takes answers, as the language writes a day."""
    return date_filter(pulse.closes_at.astimezone(zone).date() - timedelta(days=1), "DATE_FORMAT")


def pulses_open_due(*, now: datetime) -> int:
    """The beat's run: open each organisation's pulse whose period has begun (in its time
    zone) and that has none yet; how many opened. Run every hour, so that each organisation
    hears of it within an hour of its own midnight; a second run finds them open."""
    cadences = dict(PulseSchedule.objects.values_list("organization_id", "cadence"))
    opened = 0
    for organization in Organization.objects.order_by("pk").iterator(chunk_size=OPEN_BATCH):
        today = now.astimezone(zone_of(organization)).date()
        period = due_to_open(today, cadences.get(organization.pk, Cadence.MONTHLY))
        if period is None or Pulse.objects.for_org(organization).filter(period=period).exists():
            continue
        try:
            pulse_open(organization=organization, now=now)
        except ValidationError:
            continue  # another pulse still open, or another run got there first
        opened += 1
    return opened


def pulse_answer(
    *, pulse: Pulse, membership: Membership, scores: Mapping[str, int | None], comment: str,
    now: datetime,
) -> None:  # fmt: skip
    """Record the member's answers to the open pulse under their team only, and apart from
    it that they answered. Nothing links the two: the answer has no member, no time and a
    random id."""
    team = team_of(membership.role)
    if team is None or membership.organization_id != pulse.organization_id:
        raise PermissionDenied(
            _("The pulse is answered by the members of marketing and sales; you read its results.")
        )
    if not pulse.is_open(now):
        raise ValidationError(_("This pulse is closed: it takes no more answers."), code="closed")
    answer = PulseAnswer(organization_id=pulse.organization_id, pulse=pulse, team=team,
                         comment=comment.strip(), **{c: scores.get(c) for c in STATEMENTS})  # fmt: skip
    answer.full_clean(validate_unique=False, validate_constraints=False)
    if has_answered(pulse, membership.user_id):
        raise ValidationError(_("You have already answered this pulse."), code="answered")
    with transaction.atomic():
        try:
            with transaction.atomic():
                PulseParticipation.objects.create(
                    organization_id=pulse.organization_id, pulse=pulse, user_id=membership.user_id
                )
        except IntegrityError:  # the same member's other answer got there first
            raise ValidationError(
                _("You have already answered this pulse."), code="answered"
            ) from None
        answer.save(force_insert=True)
