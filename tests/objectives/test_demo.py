"""The demo organisation arrives with the shared objectives of its active plan."""

from decimal import Decimal

import pytest

from objectives.models import Objective, RepTarget
from orgs.demo import seed_demo_organizations

pytestmark = pytest.mark.django_db


def test_the_demo_has_shared_objectives_from_its_plan_and_a_reps_target():
    seed_demo_organizations()

    objectives = Objective.objects.all()
    revenue = objectives.get(metric="won_revenue")
    assert revenue.shared
    assert revenue.plan is not None
    assert revenue.smart["relevant"]["ok"] is True
    assert objectives.filter(shared=True).count() == 3  # won revenue, new customers, SQLs
    assert (
        sum(RepTarget.objects.filter(objective=revenue).values_list("target", flat=True))
        == revenue.target
    )
    assert all(o.progress for o in objectives)
    assert revenue.progress["actual"] != "0"
    assert revenue.target > Decimal(0)
    seed_demo_organizations()  # again: nothing doubled
    assert Objective.objects.count() == objectives.count()
