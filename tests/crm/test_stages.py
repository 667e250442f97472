import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from crm.imports.bulk import bulk_upsert
from crm.models import LeadStageChange, LifecycleStage, PipelineStage
from crm.selectors import StageRole, leads_waiting_for_first_touch, stage_with_role
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


def roles(org):
    stages = LifecycleStage.objects.for_org(org).exclude(role="")
    return dict(stages.values_list("code", "role"))


def test_the_default_stages_play_the_hand_off_and_customer_roles(org):
    assert roles(org) == {"mql": "handoff", "customer": "customer"}
    assert stage_with_role(org, StageRole.HANDOFF) == "mql"
    assert stage_with_role(org.pk, StageRole.CUSTOMER) == "customer"


def test_the_migration_gives_existing_organisations_their_roles(org, other_org):
    LifecycleStage.objects.update(role="")
    migration = importlib.import_module("crm.migrations.0010_lifecycle_stage_roles")

    migration.give_roles(django_apps, None)

    assert roles(org) == roles(other_org) == {"mql": "handoff", "customer": "customer"}


def test_a_role_is_played_by_one_stage_of_an_organisation(org, other_org):
    nurture = stage_add(organization=org, model=LifecycleStage, code="nurture", name="Nurture")
    nurture.role = StageRole.HANDOFF

    with pytest.raises(ValidationError, match="Another stage already plays this role"):
        nurture.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        nurture.save()
    assert stage_with_role(other_org, StageRole.HANDOFF) == "mql"  # each its own


def give_role(org, code, role):
    LifecycleStage.objects.for_org(org).filter(role=role).update(role="")
    LifecycleStage.objects.for_org(org).filter(code=code).update(role=role)


def test_won_deals_take_their_leads_to_the_stage_playing_the_customer_role(org, member):
    stage_add(organization=org, model=LifecycleStage, code="client", name="Client")
    give_role(org, "client", StageRole.CUSTOMER)
    by_hand = lead_create(organization=org, by=None, stage="sql", created_at=T0)
    imported = lead_create(organization=org, by=None, stage="sql", created_at=T0, external_id="L2")

    deal_create(
        organization=org, by=None, lead=by_hand, status="won", closed_at=T0 + timedelta(days=3)
    )
    bulk_upsert(
        organization=org,
        kind="deals",
        rows=[{"external_id": "D2", "lead": "L2", "status": "won", "closed_at": "2026-03-05"}],
    )

    by_hand.refresh_from_db()
    imported.refresh_from_db()
    assert (by_hand.stage, imported.stage) == ("client", "client")


def test_a_won_deal_moves_no_lead_when_no_stage_plays_the_customer_role(org, member):
    give_role(org, "none-such", StageRole.CUSTOMER)  # the role taken off every stage
    lead = lead_create(organization=org, by=None, stage="sql", created_at=T0)
    changes = LeadStageChange.objects.filter(lead=lead).count()

    deal = deal_create(
        organization=org, by=None, lead=lead, status="won", closed_at=T0 + timedelta(days=3)
    )

    lead.refresh_from_db()
    assert (deal.status, lead.stage) == ("won", "sql")
    assert LeadStageChange.objects.filter(lead=lead).count() == changes


def test_the_customer_rules_follow_the_role_not_the_code(org, member):
    stage_add(organization=org, model=LifecycleStage, code="client", name="Client")
    give_role(org, "client", StageRole.CUSTOMER)
    client = signed_in_client(member(Role.ADMIN))
    stage = LifecycleStage.objects.for_org(org)

    exit_client = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="client").pk]),
        {"name": "Client", "position": "7", "is_exit": "on"},
        follow=True,
    )
    remove_client = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="client").pk]),
        {"delete": "1"},
        follow=True,
    )
    remove_customer = client.post(
        reverse("crm-stage", args=["lifecycle", stage.get(code="customer").pk]),
        {"delete": "1"},
        follow=True,
    )

    assert "cannot be an exit" in exit_client.content.decode()
    assert "cannot be removed" in remove_client.content.decode()
    assert "Stages saved." in remove_customer.content.decode()  # unused, and no longer the role
    assert "client" in codes(org)
    assert "customer" not in codes(org)


def test_leads_wait_for_a_first_touch_at_the_stage_playing_the_hand_off_role(org):
    lead_create(organization=org, by=None, stage="mql", name="At mql")
    lead_create(organization=org, by=None, stage="sql", name="At sql")
    give_role(org, "sql", StageRole.HANDOFF)

    count, oldest = leads_waiting_for_first_touch(org)

    assert (count, [lead.name for lead in oldest]) == (1, ["At sql"])


def test_the_stages_page_shows_the_roles_and_saving_keeps_them(org, member):
    client = signed_in_client(member(Role.ADMIN))
    customer = LifecycleStage.objects.for_org(org).get(code="customer")

    page = client.get(reverse("crm-stages")).content.decode()
    client.post(
        reverse("crm-stage", args=["lifecycle", customer.pk]),
        {"name": "Won customer", "position": "6"},
    )

    assert page.count('data-testid="stage-role"') == len(codes(org))
    assert "Hand-off to sales" in page
    assert roles(org) == {"mql": "handoff", "customer": "customer"}
    assert LifecycleStage.objects.get(pk=customer.pk).name == "Won customer"
