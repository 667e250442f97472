"""Breaches: recorded once each (their key), announced at once to their owner and the
owning team's managers, and announced again to the owner's managers if still open
SLA_ESCALATE_HOURS later (each member told in the app and by e-mail as they chose, one
e-mail a run: the reviews app). A lead's breach belongs to the lead's owner and the sales
managers, and escalates to the sales managers; a month's MQLs behind the commitment belong
to the marketing managers and escalate to leadership and admins. Each breach is claimed in
the database before it is told, so two runs never tell one twice."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Organization
from sla.announcements import breaches_announce, breaches_escalation_announce
from sla.calendar import WorkingTime
from sla.models import AgreementVersion, Breach, Scorecard
from sla.selectors import version_at

logger = logging.getLogger(__name__)

NOTIFY_TASK = "sla.tasks.sla_notify_task"
# A breach found this long after its deadline (a first recompute of an old history) is
# recorded and listed, but nobody is e-mailed about it.
NEWS_DAYS = 3


INSERT_MONTH_BREACH = """
    INSERT INTO sla_breach (organization_id, key, side, kind, agreement_id, month, due,
                            found_at, delivered, expected)
    VALUES (%(org)s, %(key)s, 'marketing', 'volume', %(agreement)s, %(month)s, %(due)s,
            %(now)s, %(delivered)s, %(expected)s)
    ON CONFLICT (organization_id, key) DO UPDATE  -- met after all, then short again
        SET resolved_at = NULL, delivered = EXCLUDED.delivered, expected = EXCLUDED.expected,
            found_at = EXCLUDED.found_at, notified_at = NULL, escalated_at = NULL
        WHERE sla_breach.resolved_at IS NOT NULL
    RETURNING id
"""

RESOLVE_MONTH_BREACHES = """
    UPDATE sla_breach SET resolved_at = %(now)s
    WHERE organization_id = %(org)s AND key = ANY(%(keys)s::text[]) AND resolved_at IS NULL
"""


def month_breaches_record(
    organization: Organization, versions: list[AgreementVersion], working: WorkingTime,
    *, now: datetime,
) -> list[int]:  # fmt: skip
    """Record a breach for each ended month of an agreement whose MQLs fell behind the
    commitment by more than its tolerance (by the version in force at the month's end), and
    resolve one whose month is no longer behind (MQLs dated into it since, or the terms
    amended); the ids of those new."""
    delivered = {
        (row.agreement_id, row.month): row.leads
        for row in Scorecard.objects.filter(
            organization=organization, month__isnull=False, by_channel=False
        )
    }
    new, met = [], []
    with connection.cursor() as cursor:
        for agreement_id, months in _ended_months(versions, working, now).items():
            for month, ends in months:
                version = version_at(versions, ends - timedelta(microseconds=1), working.zone)
                if version is None or version.agreement_id != agreement_id:
                    continue
                least = math.ceil(
                    version.mqls_per_month * (100 - version.shortfall_tolerance) / 100
                )
                count = delivered.get((agreement_id, month), 0)
                if count >= least:
                    met.append(f"volume:{agreement_id}:{month:%Y-%m}")
                    continue
                cursor.execute(INSERT_MONTH_BREACH, {
                    "org": organization.pk, "key": f"volume:{agreement_id}:{month:%Y-%m}",
                    "agreement": agreement_id, "month": month, "due": ends, "now": now,
                    "delivered": count, "expected": least,
                })  # fmt: skip
                new += [row[0] for row in cursor.fetchall()]
        cursor.execute(RESOLVE_MONTH_BREACHES, {"org": organization.pk, "keys": met, "now": now})
    return new


def _ended_months(
    versions: list[AgreementVersion], working: WorkingTime, now: datetime
) -> dict[int, list[tuple[Any, datetime]]]:
    """Per agreement, its months that ended (in the organisation's time zone) by now, each
    with the instant it ended."""
    from smarketing.lib.months import add_months

    found: dict[int, list[tuple[Any, datetime]]] = {}
    for version in versions:
        agreement = version.agreement
        if agreement.pk in found:
            continue
        months, month = [], agreement.first_month
        while month <= agreement.last_month:
            following = add_months(month, 1)
            ends = datetime.combine(following, datetime.min.time(), tzinfo=working.zone)
            if ends > now:
                break
            months.append((month, ends))
            month = following
        found[agreement.pk] = months
    return found


def breaches_notify_later(organization_id: int, breach_ids: list[int]) -> None:
    """Tell the owners of these new breaches once the transaction commits."""
    if breach_ids:
        from smarketing.lib.enqueue import enqueue_on_commit

        enqueue_on_commit(NOTIFY_TASK, organization_id, breach_ids)


def _claim(ids: list[int], column: str) -> list[Breach]:
    """Set `column` on those of the breaches that have not got it yet; those claimed."""
    with transaction.atomic():
        claimed = list(
            Breach.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, **{f"{column}__isnull": True})
            .select_related("organization", "owner", "lead")
        )
        Breach.objects.filter(pk__in=[b.pk for b in claimed]).update(**{column: timezone.now()})
    return claimed


def breaches_notify(*, organization_id: int, breach_ids: list[int], now: datetime) -> int:
    """Announce the new breaches that are news (due within NEWS_DAYS, still open) to their
    owner and the owning team's managers (the reviews app notifies each as they chose);
    how many. The others are marked as told without a word (the list shows them): a first
    run over an old history floods nobody."""
    candidates = Breach.objects.filter(
        organization_id=organization_id, pk__in=breach_ids, notified_at__isnull=True
    )
    fresh = list(
        candidates.filter(
            due__gte=now - timedelta(days=NEWS_DAYS), resolved_at__isnull=True
        ).values_list("pk", flat=True)
    )
    candidates.exclude(pk__in=fresh).update(notified_at=now, escalated_at=now)
    with transaction.atomic():
        return breaches_announce(_claim(fresh, "notified_at"))


def breaches_sweep(*, now: datetime) -> int:
    """Announce the breaches a lost task never told (a broker down when they were found);
    how many."""
    waiting = Breach.objects.filter(
        notified_at__isnull=True, found_at__lte=now - timedelta(minutes=5)
    ).values_list("organization_id", "pk")
    by_organisation: dict[int, list[int]] = defaultdict(list)
    for organization_id, pk in waiting[:5000]:
        by_organisation[organization_id].append(pk)
    return sum(
        breaches_notify(organization_id=organization_id, breach_ids=ids, now=now)
        for organization_id, ids in sorted(by_organisation.items())
    )


def breaches_escalate(*, now: datetime) -> int:
    """Announce again the breaches still open SLA_ESCALATE_HOURS after they were first told,
    to the owner's managers (each told as they chose, in their language); how many."""
    due = Breach.objects.filter(
        escalated_at__isnull=True,
        resolved_at__isnull=True,
        notified_at__lte=now - timedelta(hours=settings.SLA_ESCALATE_HOURS),
    ).values_list("pk", flat=True)
    with transaction.atomic():
        return breaches_escalation_announce(
            _claim(list(due[:1000]), "escalated_at"), hours=settings.SLA_ESCALATE_HOURS
        )
