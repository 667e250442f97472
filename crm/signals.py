from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from orgs.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="crm-defaults")
def give_new_organisations_their_defaults(
    sender: type, instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        from crm.services.setup import defaults_ensure

        defaults_ensure(organization=instance)
