from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Sales-Marketing SLA")

    def ready(self) -> None:
        from orgs.permissions import Action
        from sla import signals  # noqa: F401  (connects the receivers)
        from sla.panels import lead_panel
        from sla.sections import window_in_force
        from smarketing.lib import page_sections
        from smarketing.lib.extensions import register_panel
        from smarketing.lib.navigation import MenuEntry, register
        from smarketing.lib.page_sections import PageSection

        # The lead's clock on its page (the CRM's, which cannot import the SLA).
        register_panel("leads", "sla", lead_panel)
        # The window the agreement in force sets, beside the organisation's own.
        for page in ("organization-settings", "metric-dictionary"):
            page_sections.register(
                PageSection(page, 20, "sla/_window_in_force.html", window_in_force)
            )
        # After the shared objectives (55), before the import (60) and the members (70).
        register(
            MenuEntry(56, "sla-agreements", _("Sales-Marketing SLA"), Action.VIEW),
            MenuEntry(57, "sla-compliance", _("SLA compliance"), Action.VIEW),
            MenuEntry(58, "sla-breaches", _("SLA breaches"), Action.VIEW),
            MenuEntry(59, "sla-calendar", _("Business calendar"), Action.VIEW),
            # Beside the leads they are: what sales has still to decide on.
            MenuEntry(20, "sla-queue", _("MQLs waiting"), Action.VIEW),
        )
