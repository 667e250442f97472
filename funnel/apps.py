from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FunnelConfig(AppConfig):
    name = "funnel"
    verbose_name = _("Funnel planning")

    def ready(self) -> None:
        from funnel import signals  # noqa: F401 - learned plans follow their facts
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        register(MenuEntry(50, "plan-list", _("Plans"), Action.VIEW))
