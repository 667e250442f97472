from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        register(
            MenuEntry(10, "home", _("Home"), Action.VIEW),
            MenuEntry(30, "dashboard", _("Leadership"), Action.VIEW, {"name": "leadership"}),
            MenuEntry(31, "dashboard", _("Marketing"), Action.VIEW, {"name": "marketing"}),
            MenuEntry(32, "dashboard", _("Sales"), Action.VIEW, {"name": "sales"}),
        )
