"""The demo organisation has this year's agreement, signed by both managers, on Rome's calendar."""

import pytest

from orgs.demo import seed_demo_organizations
from sla.models import Agreement, BusinessCalendar, Signature

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_signed_agreement_proposed_from_its_plan():
    seed_demo_organizations()

    agreement = Agreement.objects.get()
    version = agreement.versions.get()
    assert version.in_force_at is not None
    assert sorted(Signature.objects.values_list("side", flat=True)) == ["marketing", "sales"]
    assert version.mqls_per_month > 0
    assert version.channel_mqls  # per channel, from the plan
    assert BusinessCalendar.objects.get().holidays_country == "IT"
    seed_demo_organizations()  # again: nothing doubled
    assert Agreement.objects.count() == 1
