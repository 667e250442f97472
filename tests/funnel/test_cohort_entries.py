"""The cohorts lead by lead (what drift measures) are the cohorts `learn` counts: the same
leads, the same that moved on, the same median days."""

import statistics
from datetime import date
from decimal import Decimal

import pytest

from crm.demo import seed_crm_history
from crm.selectors import funnel_stage_codes
from funnel.assumptions import ALL, cohort_entries, learn

pytestmark = pytest.mark.django_db
START, END = date(2026, 5, 1), date(2026, 11, 1)


def test_the_cohorts_lead_by_lead_add_up_to_the_learned_figures(org, other_org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    seed_crm_history(organization=other_org, today=date(2026, 11, 15))
    stages = funnel_stage_codes(org)

    learned = learn(organization=org, start=START, end=END)
    entries = cohort_entries(organization=org, stages=stages, start=START, end=END)

    assert list(entries) == list(learned.conversion)
    for pair, leads in entries.items():
        days = [entry.days for entry in leads if entry.days is not None]
        assert len(leads) == learned.conversion[pair][ALL].sample > 0
        assert len(days) == learned.stage_days[pair][ALL].sample
        median = Decimal(str(round(statistics.median(days), 1)))
        assert median == learned.stage_days[pair][ALL].value
        assert all(START <= entry.entered_at.date() < END for entry in leads)
        assert [e.entered_at for e in leads] == sorted(e.entered_at for e in leads)


def test_a_funnel_of_one_stage_has_no_cohorts(org):
    assert cohort_entries(organization=org, stages=["lead"], start=START, end=END) == {}
