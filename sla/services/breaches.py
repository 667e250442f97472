"""Breaches: recorded once each (their key), announced at once to their owner and the
owning team's managers (in the app and by e-mail, as each member chose: the reviews app),
escalated by e-mail after SLA_ESCALATE_HOURS if still open. A lead's breach belongs to the
lead's owner and the sales managers, and escalates to the sales managers; a month's MQLs
behind the commitment belong to the marketing managers and escalate to leadership. Each
breach is claimed in the database before it is told, so two runs never tell one twice; a
recipient gets one escalation e-mail a run listing their breaches, not one per breach."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgs.models import Membership, Organization, Role
from sla.announcements import breaches_announce
from sla.calendar import WorkingTime
from sla.models import AgreementVersion, Breach, Scorecard, Side
from sla.selectors import calendar_of, version_at

logger = logging.getLogger(__name__)

NOTIFY_TASK = "sla.tasks.sla_notify_task"
# A breach found this long after its deadline (a first recompute of an old history) is
# recorded and listed, but nobody is e-mailed about it.
NEWS_DAYS = 3

MANAGERS = {Side.SALES: [Role.SALES_MANAGER], Side.MARKETING: [Role.LEADERSHIP, Role.ADMIN]}

INSERT_MONTH_BREACH = """
    INSERT INTO sla_breach (organization_id, key, side, kind, agreement_id, month, due,
                            found_at, delivered, expected)
    VALUES (%(org)s, %(key)s, 'marketing', 'volume', %(agreement)s, %(month)s, %(due)s,
            %(now)s, %(delivered)s, %(expected)s)
    ON CONFLICT (organization_id, key) DO NOTHING
    RETURNING id
"""


def month_breaches_record(
    organization: Organization, versions: list[AgreementVersion], working: WorkingTime,
    *, now: datetime,
) -> list[int]:  # fmt: skip
    """Record a breach for each ended month of an agreement whose MQLs fell behind the
    commitment by more than its tolerance (by the version in force at the month's end);
    the ids of those new."""
    delivered = {
        (row.agreement_id, row.month): row.leads
        for row in Scorecard.objects.filter(
            organization=organization, month__isnull=False, by_channel=False
        )
    }
    new = []
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
                    continue
                cursor.execute(INSERT_MONTH_BREACH, {
                    "org": organization.pk, "key": f"volume:{agreement_id}:{month:%Y-%m}",
                    "agreement": agreement_id, "month": month, "due": ends, "now": now,
                    "delivered": count, "expected": least,
                })  # fmt: skip
                new += [row[0] for row in cursor.fetchall()]
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


def _members(organization: Organization, roles: Sequence[str]) -> list[Membership]:
    return list(
        Membership.objects.for_org(organization)
        .filter(role__in=roles)
        .exclude(user__email="")
        .select_related("user")
    )


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
    """Send the breaches still open SLA_ESCALATE_HOURS after their owner was told to the
    owner's managers; how many e-mails went."""
    due = Breach.objects.filter(
        escalated_at__isnull=True,
        resolved_at__isnull=True,
        notified_at__lte=now - timedelta(hours=settings.SLA_ESCALATE_HOURS),
    ).values_list("pk", flat=True)
    recipients: dict[Any, list[Breach]] = defaultdict(list)
    for breach in _claim(list(due[:1000]), "escalated_at"):
        for member in _members(breach.organization, MANAGERS[Side(breach.side)]):
            if member.user_id != breach.owner_id:
                recipients[(member.user, breach.organization_id)].append(breach)
    return _send(recipients, escalated=True, column="escalated_at")


def _send(recipients: dict[Any, list[Breach]], *, escalated: bool, column: str) -> int:
    """One e-mail a recipient, in the organisation's time zone. A recipient whose e-mail
    fails gives their breaches back (`column` cleared) for the next sweep, and the others
    still get theirs: at least once, never lost."""
    sent = 0
    for (user, _org), breaches in recipients.items():
        organization = breaches[0].organization
        zone = calendar_of(organization).time_zone
        link = settings.SITE_URL + reverse("sla-breaches")
        with translation.override(settings.LANGUAGE_CODE), timezone.override(zone):
            context = {
                "breaches": breaches, "organization": organization, "link": link,
                "escalated": escalated, "user": user, "zone": zone,
                "hours": settings.SLA_ESCALATE_HOURS,
            }  # fmt: skip
            subject = (
                _("SLA breaches still open at %(org)s")
                if escalated
                else _("New SLA breaches at %(org)s")
            ) % {"org": organization.name}
            try:
                send_mail(
                    subject=subject,
                    message=render_to_string("sla/email/breaches.txt", context),
                    from_email=None,
                    recipient_list=[user.email],
                )
            except Exception:
                logger.exception("SLA breach e-mail to user %s failed", user.pk)
                Breach.objects.filter(pk__in=[b.pk for b in breaches]).update(**{column: None})
                continue
            sent += 1
    return sent
