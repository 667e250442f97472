from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from crm.models import LifecycleStage, PipelineStage
from crm.services.deals import deal_create
from crm.services.leads import lead_change_stage, lead_create
from crm.services.stages import stage_add, stage_update
from kpis.models import KpiFact
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from orgs.models import Role
from orgs.permissions import Action, can
from tests.conftest import ALL_ROLES, signed_in_client

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def codes(org, model=LifecycleStage):
    return list(model.objects.for_org(org).values_list("code", flat=True))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_admins_configure_stages(role, org, member):
    client = signed_in_client(member(role))

    page = client.get(reverse("crm-stages"))
    added = client.post(
        reverse("crm-stage-new", args=["lifecycle"]), {"code": "nurture", "name": "Nurture"}
    )

    allowed = can(role, Action.EDIT_ORGANIZATION)
    assert page.status_code == (200 if allowed else 403)
    assert added.status_code == (302 if allowed else 403)
    assert ("nurture" in codes(org)) is allowed


def test_an_admin_adds_renames_reorders_and_removes_unused_stages(org, member):
    client = signed_in_client(member(Role.ADMIN))
    client.post(reverse("crm-stage-new", args=["pipeline"]), {"code": "Demo", "name": "Demo given"})
    demo = PipelineStage.objects.for_org(org).get(code="demo")

    client.post(
        reverse("crm-stage", args=["pipeline", demo.pk]), {"name": "Demo done", "position": "0"}
    )
    renamed = PipelineStage.objects.for_org(org).get(code="demo")
    client.post(reverse("crm-stage", args=["pipeline", demo.pk]), {"delete": "1"})

    assert (renamed.name, renamed.position) == ("Demo done", 0)
    assert "demo" not in codes(org, PipelineStage)


def test_stages_in_use_and_the_customer_stage_stay(org, member):
    lead_create(organization=org, by=None, stage="mql")
    deal_create(organization=org, by=None, pipeline_stage="proposal")
    client = signed_in_client(member(Role.ADMIN))
    stage = LifecycleStage.objects.for_org(org)

    in_use = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="mql").pk]),
        {"delete": "1"},
        follow=True,
    )
    customer = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="customer").pk]),
        {"delete": "1"},
        follow=True,
    )
    exit_customer = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="customer").pk]),
        {"name": "Customer", "position": "4", "is_exit": "on"},
        follow=True,
    )
    pipeline = client.post(
        reverse(
            "crm-stage",
            args=["pipeline", PipelineStage.objects.for_org(org).get(code="proposal").pk],
        ),
        {"delete": "1"},
        follow=True,
    )

    assert "is in use" in in_use.content.decode()
    assert "cannot be removed" in customer.content.decode()
    assert "cannot be an exit" in exit_customer.content.decode()
    assert "is in use" in pipeline.content.decode()
    assert {"mql", "customer"} <= set(codes(org))
    assert not stage.get(code="customer").is_exit
    assert "proposal" in codes(org, PipelineStage)


def test_bad_stage_input_is_refused(org, member):
    client = signed_in_client(member(Role.ADMIN))

    duplicate = client.post(
        reverse("crm-stage-new", args=["lifecycle"]), {"code": "mql", "name": "Again"}, follow=True
    )
    bad_code = client.post(
        reverse("crm-stage-new", args=["lifecycle"]),
        {"code": "no spaces!", "name": "X"},
        follow=True,
    )
    bad_position = client.post(
        reverse("crm-stage", args=["lifecycle", LifecycleStage.objects.for_org(org).first().pk]),
        {"name": "X", "position": "first"},
        follow=True,
    )

    assert "already exists" in duplicate.content.decode()
    assert "Enter a valid" in bad_code.content.decode()
    assert "Position must be a whole number." in bad_position.content.decode()
    assert codes(org).count("mql") == 1
    assert client.post(reverse("crm-stage-new", args=["nonsense"]), {}).status_code == 404


def test_another_organisations_stage_is_404(other_org, member):
    theirs = LifecycleStage.objects.for_org(other_org).get(code="lead")
    client = signed_in_client(member(Role.ADMIN))

    assert (
        client.post(
            reverse("crm-stage", args=["lifecycle", theirs.pk]), {"delete": "1"}
        ).status_code
        == 404
    )
    assert LifecycleStage.objects.filter(pk=theirs.pk).exists()


def test_removing_an_unused_funnel_stage_reshapes_the_kpis_it_was_counted_in(org, member):
    lead = lead_create(organization=org, by=None, stage="lead", created_at=T0)
    lead_change_stage(lead=lead, to_stage="sql", by=None, at=T0 + timedelta(days=2))
    nurture = stage_add(organization=org, model=LifecycleStage, code="nurture", name="Nurture")
    stage_update(stage=nurture, name="Nurture", position=1)  # after mql, before sql
    kpis_recompute_changed(organization_id=org.pk)
    reached = KpiFact.objects.for_org(org).get().reached  # skipped, so reached, on the way

    removed = signed_in_client(member(Role.ADMIN)).post(
        reverse("crm-stage", args=["lifecycle", nurture.pk]), {"delete": "1"}
    )
    kpis_recompute_changed(organization_id=org.pk)

    assert removed.status_code == 302
    assert "nurture" not in codes(org)
    assert reached["nurture"] == 1
    assert "nurture" not in KpiFact.objects.for_org(org).get().reached
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0
