from datetime import date
from typing import Any

from django.dispatch import receiver

from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(demo_organization_ready, dispatch_uid="funnel-demo-facts")
def give_the_demo_its_facts(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    from funnel.services import plans_for_the_demo
    from kpis.recompute import kpis_recompute_full

    kpis_recompute_full(organization_id=organization.pk)
    plans_for_the_demo(organization=organization, today=today)
