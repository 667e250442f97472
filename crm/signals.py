from datetime import date
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from orgs.demo import demo_organization_ready
from orgs.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="crm-defaults")
def give_new_organisations_their_defaults(
    sender: type, instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        from crm.services.setup import defaults_ensure

        defaults_ensure(organization=instance)


@receiver(demo_organization_ready, dispatch_uid="crm-demo-history")
def give_the_demo_its_history(
    sender: type, organization: Organization, today: date, **kwargs: Any
) -> None:
    from crm.demo import seed_crm_history

    seed_crm_history(organization=organization, today=today)
