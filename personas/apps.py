from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonasConfig(AppConfig):
    name = "personas"
    verbose_name = _("Buyer personas")

    def ready(self) -> None:
        from orgs.permissions import Action
        from personas import signals  # noqa: F401  (connects the receivers)
        from personas.extensions import LeadFitExtension
        from smarketing.lib import extensions
        from smarketing.lib.navigation import MenuEntry, register

        # After Home (10), before the leads (20) they qualify and the CRM records that
        # follow them; the role dashboards come at 30.
        register(MenuEntry(15, "persona-list", _("Buyer personas"), Action.VIEW))
        extensions.register(LeadFitExtension())
