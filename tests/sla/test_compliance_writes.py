"""A recompute writes only what changed: a hand-off judged as before keeps its row as it was
(its computed_at too), a touch or a deadline passing rewrites that hand-off's row alone, a
hand-off no longer there loses its row; and the sweep leaves a rewritten row alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.models import Activity, Channel, Lead, LeadStageChange
from crm.services.leads import lead_change_stage, lead_create, lead_update
from crm.services.records import record_create
from orgs.models import Role
from sla.models import Breach, ComplianceMark, Handoff, Side
from sla.services import (
    agreement_create,
    agreement_sign,
    calendar_update,
    compliance_recompute,
    compliance_sweep,
)

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
MONDAY = datetime(2026, 3, 2, tzinfo=ROME)


def at(hours: float) -> datetime:
    """Monday 2 March 2026 in Rome, `hours` after midnight."""
    return MONDAY + timedelta(hours=hours)


@pytest.fixture
def agreement(org, member):
    """Rome's Monday-to-Friday 09:00 to 18:00 calendar and 2026's agreement in force: a first
    touch within 4 business hours, 2 attempts within 2 business days, a decision within 3."""
    calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                    day_start=time(9), day_end=time(18))  # fmt: skip
    made = agreement_create(organization=org, by=None, first_month=date(2026, 1, 1), terms={
        "mqls_per_month": 40, "first_touch_hours": "4", "attempts": 2, "attempts_days": 2,
        "decision_days": 3})  # fmt: skip
    agreement_sign(agreement=made, membership=member(Role.MARKETING_MANAGER), side=Side.MARKETING)
    agreement_sign(agreement=made, membership=member(Role.SALES_MANAGER), side=Side.SALES)
    return made


def handed_over(org, when, name):
    lead = lead_create(organization=org, by=None, name=name, stage="lead",
                       created_at=when - timedelta(hours=1))  # fmt: skip
    lead_change_stage(lead=lead, to_stage="mql", by=None, at=when)
    return Lead.objects.get(pk=lead.pk)


def rows(org):
    """Each stored hand-off by lead name: (row id, computed_at, response seconds)."""
    return {
        h.lead.name: (h.pk, h.computed_at, h.response_seconds)
        for h in Handoff.objects.filter(organization=org).select_related("lead")
    }


def test_a_run_that_finds_nothing_changed_writes_nothing(org, agreement):
    ann = handed_over(org, at(10), "Ann")
    handed_over(org, at(11), "Bob")
    record_create(Activity, organization=org, lead=ann, kind="call", at=at(10.5))
    compliance_recompute(organization_id=org.pk, now=at(11.5))
    before = rows(org)

    done = compliance_recompute(organization_id=org.pk, now=at(11.75))

    assert done.handoffs == 2  # both judged again
    assert rows(org) == before  # neither rewritten
    assert before["Ann"][1:] == (at(11.5), 1800)


def test_a_touch_rewrites_its_own_hand_off_only(org, agreement):
    handed_over(org, at(10), "Ann")
    bob = handed_over(org, at(11), "Bob")
    compliance_recompute(organization_id=org.pk, now=at(11.5))
    before = rows(org)

    record_create(Activity, organization=org, lead=bob, kind="email", at=at(12))
    compliance_recompute(organization_id=org.pk, now=at(12.25))

    after = rows(org)
    assert after["Ann"] == before["Ann"]
    assert after["Bob"] == (before["Bob"][0], at(12.25), 3600)  # the same row, rewritten


def test_a_lead_given_another_channel_and_owner_rewrites_its_hand_off_with_them(
    org, member, agreement
):
    rep = member(Role.SALES_REP)
    ann = handed_over(org, at(10), "Ann")
    bob = handed_over(org, at(11), "Bob")
    compliance_recompute(organization_id=org.pk, now=at(11.5))
    before = rows(org)
    social = Channel.objects.for_org(org).get(code="social")

    lead_update(lead=ann, by=None, channel=social, owner=rep.user)
    compliance_recompute(organization_id=org.pk, now=at(11.75))

    row = Handoff.objects.get(lead=ann)
    assert (row.channel_id, row.owner_id, row.computed_at) == (social.pk, rep.user_id, at(11.75))
    assert rows(org)["Bob"] == before["Bob"]  # its lead unchanged: not rewritten
    assert Handoff.objects.get(lead=bob).channel_id == bob.channel_id


def test_a_deadline_passing_rewrites_its_hand_off_and_the_sweep_then_lets_it_be(org, agreement):
    ann = handed_over(org, at(10), "Ann")  # a first touch due at 14:00
    compliance_recompute(organization_id=org.pk, now=at(11))
    compliance_recompute(organization_id=org.pk, now=at(12))  # nothing passed: not rewritten
    assert Handoff.objects.get(lead=ann).computed_at == at(11)

    assert compliance_sweep(now=at(14.5)) == 1  # the deadline passed since it was judged
    compliance_recompute(organization_id=org.pk, now=at(14.5))

    row = Handoff.objects.get(lead=ann)
    assert (row.computed_at, row.late_touch) == (at(14.5), True)
    assert Breach.objects.filter(lead=ann, kind=Breach.Kind.FIRST_TOUCH).count() == 1
    ComplianceMark.objects.all().delete()
    assert compliance_sweep(now=at(15)) == 0  # nothing else has passed since
    assert not ComplianceMark.objects.exists()


def test_a_hand_off_no_longer_there_loses_its_row_and_the_others_stay(org, agreement):
    handed_over(org, at(10), "Ann")
    bob = handed_over(org, at(11), "Bob")
    compliance_recompute(organization_id=org.pk, now=at(11.5))
    before = rows(org)

    LeadStageChange.objects.filter(lead=bob, to_stage="mql").delete()  # an import corrected
    compliance_recompute(organization_id=org.pk, now=at(11.75))

    assert rows(org) == {"Ann": before["Ann"]}


def test_the_scorecards_are_not_aggregated_again_when_nothing_was_written(org, agreement):
    from sla.models import Scorecard

    handed_over(org, at(10), "Ann")
    compliance_recompute(organization_id=org.pk, now=at(30 * 24))
    before = {c.pk: c.handoffs for c in Scorecard.objects.filter(organization=org)}

    compliance_recompute(organization_id=org.pk, now=at(30 * 24 + 1))

    after = Scorecard.objects.filter(organization=org)
    assert {c.pk: c.handoffs for c in after} == before  # the same rows, not rewritten
    assert {c.computed_at for c in after} == {at(30 * 24 + 1)}  # as of this run
    handed_over(org, at(11), "Bob")
    compliance_recompute(organization_id=org.pk, now=at(30 * 24 + 2))
    assert Scorecard.objects.get(month=None, by_channel=False).handoffs == 2


def test_each_clock_keeps_its_next_deadline_for_the_sweep(org, agreement):
    lead = handed_over(
        org, at(10), "Ann"
    )  # touch due 14:00, attempts Wed 10:00, decision Thu 10:00

    compliance_recompute(organization_id=org.pk, now=at(11))
    assert Handoff.objects.get(lead=lead).next_due == at(14)
    assert compliance_sweep(now=at(13.9)) == 0  # nothing due yet: nothing marked

    compliance_recompute(organization_id=org.pk, now=at(15))
    assert Handoff.objects.get(lead=lead).next_due == at(2 * 24 + 10)  # the attempts' next

    record_create(Activity, organization=org, lead=lead, kind="call", at=at(15.5))
    lead_change_stage(lead=lead, to_stage="sql", by=None, at=at(16))
    compliance_recompute(organization_id=org.pk, now=at(17))
    row = Handoff.objects.get(lead=lead)
    assert row.next_due == at(2 * 24 + 10)  # the attempts still count until their deadline
    compliance_recompute(organization_id=org.pk, now=at(3 * 24))
    assert Handoff.objects.get(lead=lead).next_due is None  # decided, every deadline passed


def test_a_hand_off_counts_in_its_month_in_the_organisations_time_zone(org, agreement):
    # Rome is an hour ahead of UTC: 1 March 00:30 there is still February in UTC.
    handed_over(org, at(-24.5), "Ann")  # Saturday 28 February, 23:30 in Rome
    handed_over(org, at(-23.5), "Bob")  # Sunday 1 March, 00:30 in Rome

    compliance_recompute(organization_id=org.pk, now=at(1))

    months = {h.lead.name: h.month for h in Handoff.objects.filter(organization=org)}
    assert months == {"Ann": date(2026, 2, 1), "Bob": date(2026, 3, 1)}


def test_the_working_windows_reach_the_statement_exactly():
    from django.db import connection

    from sla.services.compliance import _float_array

    numbers = [0.0, 1735632000.0, 0.1 + 0.2, 1e-7, 32400.5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::float8[]", [_float_array(numbers)])
        assert cursor.fetchone()[0] == numbers


def test_a_touch_after_the_next_leads_hand_off_is_still_its_own_leads(org, agreement):
    ann = handed_over(org, at(10), "Ann")
    handed_over(org, at(11), "Bob")  # the next lead's hand-off bounds nothing of Ann's
    record_create(Activity, organization=org, lead=ann, kind="call", at=at(12))

    compliance_recompute(organization_id=org.pk, now=at(13))

    assert rows(org)["Ann"][2] == 2 * 3600
    assert rows(org)["Bob"][2] is None


def test_a_breach_found_by_a_wrong_calendar_closes_when_it_is_corrected(org, agreement):
    """A hand-off at 10:00 still untouched at 15:00 is late by a 09:00 to 18:00 day (5
    business hours gone, 4 agreed), not yet by a 09:00 to 12:00 one (2 gone). The breach is
    closed when the calendar says not late, and the same breach is open again when it says
    late again."""
    handed_over(org, at(10), "Ann")
    compliance_recompute(organization_id=org.pk, now=at(15))
    (breach,) = Breach.objects.filter(organization=org, side="sales")
    assert (breach.kind, breach.resolved_at) == ("first_touch", None)

    def day_ends(hour, now):
        calendar_update(organization=org, time_zone="Europe/Rome", working_days=[1, 2, 3, 4, 5],
                        day_start=time(9), day_end=time(hour))  # fmt: skip
        compliance_recompute(organization_id=org.pk, now=now)
        return Breach.objects.get(organization=org, side="sales")

    closed = day_ends(12, at(15.25))
    assert Handoff.objects.get(organization=org).touch_due == at(24 + 11)  # Tuesday 11:00
    assert closed.pk == breach.pk
    assert closed.resolved_at == at(15.25)
    Breach.objects.filter(pk=breach.pk).update(notified_at=at(15), escalated_at=at(15))
    opened = day_ends(18, at(15.5))
    assert opened.pk == breach.pk
    assert opened.resolved_at is None
    assert opened.due == at(14)
    # Found again now: told and escalated as a breach found now is.
    assert (opened.found_at, opened.notified_at, opened.escalated_at) == (at(15.5), None, None)
