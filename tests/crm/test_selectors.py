import pytest

from crm.models import LifecycleStage
from crm.selectors import funnel_stage_codes, funnel_stages
from crm.services.stages import stage_add, stage_update

pytestmark = pytest.mark.django_db


def test_the_funnel_stages_come_in_order_and_leave_the_exits_out(org, other_org):
    nurture = stage_add(organization=org, model=LifecycleStage, code="nurture", name="Nurture")
    stage_update(stage=nurture, name="Nurture", position=1)  # after mql's 1, by its pk
    stage_add(organization=org, model=LifecycleStage, code="lost", name="Lost", is_exit=True)

    assert funnel_stage_codes(org) == ["lead", "mql", "nurture", "sql", "opportunity", "customer"]
    assert [s.name for s in funnel_stages(org.pk)][:3] == [
        "Lead",
        "Marketing-qualified lead",
        "Nurture",
    ]
    assert funnel_stage_codes(other_org) == ["lead", "mql", "sql", "opportunity", "customer"]


def test_with_exits_the_exit_stages_follow_the_funnel(org):
    stage_update(
        stage=LifecycleStage.objects.for_org(org).get(code="recycled"),
        name="Recycled",
        position=0,
        is_exit=True,
    )

    assert funnel_stage_codes(org, exits=True) == [
        "lead", "mql", "sql", "opportunity", "customer", "recycled", "disqualified",
    ]  # fmt: skip
