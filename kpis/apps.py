from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPI facts")

    def ready(self) -> None:
        from kpis import signals  # noqa: F401 - a recompute scheduled after CRM changes
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        register(MenuEntry(40, "metric-dictionary", _("Metrics"), Action.VIEW))
