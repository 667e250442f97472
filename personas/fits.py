"""Keeping every lead's fit to the approved personas stored and fresh.

What changes a fit: a lead's own fields, its company's, its deals' products (the CRM marks
those leads in its journal, crm.journal, in the same transaction), or the personas
themselves (an approval, an archive: every lead is marked). Once such a change commits,
`crm.journal.leads_changed` schedules a refresh of the organisation.

Coalesced like the KPI recompute (kpis/scheduling.py): the first change after a refresh
sets a Redis key with SET NX and sends the task after FIT_COALESCE_SECONDS; later changes
find the key. The refresh takes the marks and writes the fits in one transaction, with one
set-based statement (personas.fitting), for the marked leads or for all of them.

Fairness (kpis/turns.py): a refresh runs in its organisation's turn, a session advisory
lock; a second task for a busy organisation returns at once and the holder, once done,
schedules what was marked meanwhile. The beat sweep schedules whatever a lost message left.

Once fits change, `fits_changed` (after commit) tells the apps above (the KPIs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from crm.journal import (
    has_changed_leads,
    organisations_with_changed_leads_before,
    take_changed_leads,
)
from crm.models import LeadStageChange
from crm.selectors import lead_profiles_sql
from crm.services.leads import leads_hand_off
from personas.fitting import fit_statement, uses_products
from personas.models import LeadFit
from personas.selectors import approved_measures, persona_settings
from smarketing.lib.advisory import organisation_lock, organisations_holding
from smarketing.lib.enqueue import send_now

logger = logging.getLogger(__name__)

REFRESH_TASK = "personas.tasks.fits_refresh_task"  # by name: tasks.py imports this module
TURN = -4  # the advisory lock's second key (smarketing/lib/advisory.py lists the others)

# Sent after commit with `organization_id` and `lead_ids` (None: any lead's fit may have
# changed): the stored fits of these leads were rewritten.
fits_changed = Signal()


class Fits:
    """The sender of `fits_changed`."""


@dataclass(frozen=True)
class Refreshed:
    measured: bool  # False: nothing was marked
    changed: int  # leads whose stored fit changed


def fits_refresh(*, organization_id: int) -> Refreshed:
    """Take the organisation's marked leads and write their fits (all leads' when every
    lead is marked), in one transaction: a failure leaves the marks for the next run."""
    with transaction.atomic():
        marked = take_changed_leads(organization_id)
        if marked == []:
            return Refreshed(measured=False, changed=0)
        measures = approved_measures(organization_id)
        if not measures:  # nothing approved (any more): no lead is measured
            fits = LeadFit.objects.filter(organization_id=organization_id)
            if marked is not None:
                fits = fits.filter(lead_id__in=marked)
            changed = fits.delete()[0]
            ids = None
        else:
            profiles = lead_profiles_sql(
                products=uses_products(measures), among_ids=marked is not None
            )
            sql, params = fit_statement(measures, profiles, count=marked is None)
            with connection.cursor() as cursor:
                # JIT compiled a full refresh's expressions for 0.6 s and won nothing back:
                # its time goes to regular expressions and text functions.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(sql, {"org": organization_id, "ids": marked, **params})
                rows = cursor.fetchall()
            ids = None if marked is None else [row[0] for row in rows]
            changed = rows[0][0] if marked is None else len(rows)
        _qualify(organization_id, marked)
        if changed:
            transaction.on_commit(
                lambda: fits_changed.send(
                    sender=Fits, organization_id=organization_id, lead_ids=ids
                )
            )
    return Refreshed(measured=True, changed=changed)


def _qualify(organization_id: int, marked: list[int] | None) -> list[int]:
    """Where the organisation asks for it, move the new leads just measured that fit an
    approved persona to the hand-off stage, the persona named in their history."""
    chosen = persona_settings(organization_id)
    if not chosen.qualify_new_leads or chosen.qualifying_since is None:
        return []
    fitting = LeadFit.objects.filter(
        organization_id=organization_id,
        fits=True,
        lead__created_at__gte=chosen.qualifying_since,
    )
    if marked is not None:
        fitting = fitting.filter(lead_id__in=marked)
    moves = [
        (lead_id, f"{name} v{number} · {score}/100")
        for lead_id, name, number, score in fitting.values_list(
            "lead_id", "version__name", "version__number", "score"
        )
    ]
    return leads_hand_off(
        organization_id=organization_id,
        moves=moves,
        source=LeadStageChange.Source.PERSONA,
        since=chosen.qualifying_since,
    )


# --- scheduling and turns ---


def scheduled_key(organization_id: int) -> str:
    return f"personas:fits-scheduled:{organization_id}"


def fits_schedule(*, organization_id: int, countdown: int | None = None) -> bool:
    """Send one refresh for the organisation unless one is already waiting; True if sent."""
    delay = settings.FIT_COALESCE_SECONDS if countdown is None else countdown
    key = scheduled_key(organization_id)
    if not cache.add(key, 1, timeout=delay + 60):  # outlives the countdown: see kpis
        return False
    if not send_now(REFRESH_TASK, organization_id, countdown=delay):
        cache.delete(key)
        return False
    return True


def fits_refresh_in_turn(*, organization_id: int) -> Refreshed | None:
    """The task's work: a refresh in the organisation's turn; None if another worker has
    it (that one schedules what is marked meanwhile)."""
    cache.delete(scheduled_key(organization_id))  # first: a change from now on schedules
    with organisation_lock(organization_id, TURN, wait=False) as ours:
        if not ours:
            return None
        done = fits_refresh(organization_id=organization_id)
    if has_changed_leads(organization_id):
        fits_schedule(organization_id=organization_id, countdown=0)
    return done


def fits_sweep() -> None:
    """Schedule every organisation whose marked leads waited past the coalescing delay,
    but not one whose refresh runs now."""
    waited = timezone.now() - timedelta(seconds=2 * settings.FIT_COALESCE_SECONDS + 1)
    busy = organisations_holding(TURN)
    for organization_id in sorted(organisations_with_changed_leads_before(waited) - busy):
        fits_schedule(organization_id=organization_id)
