from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from orgs import schema  # noqa: F401 - registers the OpenAPI auth extension
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        register(
            MenuEntry(70, "members", _("Members"), Action.VIEW),
            MenuEntry(80, "organization-settings", _("Organisation"), Action.EDIT_ORGANIZATION),
            MenuEntry(90, "api-tokens", _("API tokens"), Action.MANAGE_OWN_TOKENS),
        )
