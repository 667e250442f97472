from datetime import date
from typing import Any

from django.dispatch import receiver

from kpis.signals import facts_changed
from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(facts_changed, dispatch_uid="funnel-refresh-learned-plans")
def refresh_learned_plans(
    sender: type, organization_id: int, months: list[date], **kwargs: Any
) -> None:
    """A learned plan whose learning window holds a month rewritten learns again."""
    from funnel.services import plans_refresh_learned

    plans_refresh_learned(organization_id=organization_id, months=months)


@receiver(demo_organization_ready, dispatch_uid="funnel-demo-facts")
def give_the_demo_its_facts(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    from funnel.services import plans_for_the_demo
    from kpis.recompute import kpis_recompute_full

    kpis_recompute_full(organization_id=organization.pk)
    plans_for_the_demo(organization=organization, today=today)
