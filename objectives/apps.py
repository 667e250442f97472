from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = _("Shared objectives")

    def ready(self) -> None:
        from objectives import signals  # noqa: F401  (connects the receivers)
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        # After the plans they serve (50), before the members and settings (70).
        register(MenuEntry(55, "objective-list", _("Shared objectives"), Action.VIEW))
