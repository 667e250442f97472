from datetime import date
from typing import Any

from django.dispatch import receiver

from crm.services.changes import cells_changed
from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(cells_changed, dispatch_uid="funnel-kpis-schedule")
def recompute_changed_cells(sender: type, organization_id: int, **kwargs: Any) -> None:
    from funnel.kpis.scheduling import kpis_schedule

    kpis_schedule(organization_id=organization_id)


@receiver(demo_organization_ready, dispatch_uid="funnel-demo-facts")
def give_the_demo_its_facts(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    from funnel.kpis.recompute import kpis_recompute_full
    from funnel.services import plans_for_the_demo

    kpis_recompute_full(organization_id=organization.pk)
    plans_for_the_demo(organization=organization, today=today)
