from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = _("Shared objectives")

    def ready(self) -> None:
        from objectives import signals  # noqa: F401  (connects the receivers)
        from objectives.reasons import how_checked
        from orgs.permissions import Action
        from smarketing.lib import page_sections
        from smarketing.lib.navigation import MenuEntry, register
        from smarketing.lib.page_sections import PageSection

        # After the plans they serve (50), before the members and settings (70).
        register(MenuEntry(55, "objective-list", _("Shared objectives"), Action.VIEW))
        page_sections.register(
            PageSection("metric-dictionary", 10, "objectives/_how_checked.html", how_checked)
        )
