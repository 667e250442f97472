from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM records")

    def ready(self) -> None:
        from crm import signals  # noqa: F401 - default stages for new organisations
        from orgs.permissions import Action
        from smarketing.lib.navigation import MenuEntry, register

        register(
            *(
                MenuEntry(20 + i, "crm-list", label, Action.VIEW, {"kind": kind})
                for i, (kind, label) in enumerate(
                    [
                        ("leads", _("Leads")),
                        ("deals", _("Deals")),
                        ("companies", _("Companies")),
                        ("campaigns", _("Campaigns")),
                        ("channels", _("Channels")),
                        ("activities", _("Activities")),
                    ]
                )
            ),
            MenuEntry(60, "crm-import", _("Import"), Action.IMPORT_RECORDS),
            MenuEntry(81, "crm-stages", _("Stages"), Action.EDIT_ORGANIZATION),
        )
