from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from orgs import schema  # noqa: F401 - registers the OpenAPI auth extension
