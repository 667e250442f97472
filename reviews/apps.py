from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and notifications")

    def ready(self) -> None:
        from orgs.permissions import Action
        from reviews import signals  # noqa: F401  (connects the receivers)
        from reviews.views.drift import plan_drift_panel
        from smarketing.lib.extensions import register_panel
        from smarketing.lib.navigation import MenuEntry, TopbarEntry, register, register_topbar

        # The bell in the header, with the unread count.
        register_topbar(
            TopbarEntry("notifications", "notification-list", _("Notifications"),
                        "notification-badge")
        )  # fmt: skip
        # With the SLA's pages (56 to 59), before the import (60).
        register(MenuEntry(59, "pulse-page", _("Alignment pulse"), Action.VIEW))
        # Beside the API tokens (90): what other tools hear of.
        register(MenuEntry(91, "webhooks", _("Webhooks"), Action.MANAGE_WEBHOOKS))
        # The monthly review pack, after the dashboards and metrics it sums up (30-40),
        # before the plans (50).
        register(MenuEntry(45, "review-latest", _("Monthly review"), Action.VIEW))
        # A plan's drift on its page (the funnel's, which cannot import reviews).
        register_panel("plans", "drift", plan_drift_panel)
        # Beside the plans it measures.
        register(MenuEntry(51, "drift", _("Plan drift"), Action.VIEW))
