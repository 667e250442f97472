"""Renewal: thirty days before an agreement in force ends, both managers are reminded by
e-mail to sign the next one (in the app, once the notification centre exists: issue 18).
An agreement is claimed before its e-mails go, so two runs never remind twice."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgs.models import Membership, Role
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
                transaction.on_commit(partial(_send, agreement, end))
                reminded += 1
    return reminded


def _send(agreement: Agreement, end: date) -> None:
    managers = (
        Membership.objects.for_org(agreement.organization)
        .filter(role__in=[Role.MARKETING_MANAGER, Role.SALES_MANAGER])
        .exclude(user__email="")
        .select_related("user")
    )
    link = settings.SITE_URL + reverse("sla-agreement", kwargs={"pk": agreement.pk})
    for membership in managers:
        with translation.override(settings.LANGUAGE_CODE):
            context = {"agreement": agreement, "end": end, "link": link, "member": membership}
            send_mail(
                subject=_("Renew the Sales-Marketing agreement of %(org)s")
                % {"org": agreement.organization.name},
                message=render_to_string("sla/email/renewal.txt", context),
                from_email=None,
                recipient_list=[membership.user.email],
            )
