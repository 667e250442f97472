"""Renewal: thirty days before an agreement in force ends, both managers are reminded to
sign the next one (in the app and by e-mail, as each chose: the reviews app). An agreement
is claimed before it is announced, so two runs never remind twice."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from sla.announcements import renewal_due
from sla.models import Agreement
from smarketing.lib.months import add_months

REMIND_DAYS = 30


def agreement_end(agreement: Agreement) -> date:
    last = agreement.last_month
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


def agreements_remind(*, today: date) -> int:
    """Remind the managers of each agreement in force that ends within REMIND_DAYS and has no
    agreement after it yet; how many agreements."""
    due = (
        Agreement.objects.filter(
            renewal_reminded_at__isnull=True,
            last_month__lte=(today + timedelta(days=REMIND_DAYS)).replace(day=1),
            last_month__gte=today.replace(day=1),
            versions__in_force_at__isnull=False,
        )
        .select_related("organization")
        .distinct()
    )
    reminded = 0
    for agreement in due:
        end = agreement_end(agreement)
        if not today <= end <= today + timedelta(days=REMIND_DAYS):
            continue
        following = add_months(agreement.last_month, 1)
        if Agreement.objects.for_org(agreement.organization).filter(first_month=following).exists():
            continue
        with transaction.atomic():
            claimed = Agreement.objects.filter(
                pk=agreement.pk, renewal_reminded_at__isnull=True
            ).update(renewal_reminded_at=timezone.now())
            if claimed:
                renewal_due(agreement, end)
                reminded += 1
    return reminded
