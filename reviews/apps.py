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
        from smarketing.lib.navigation import MenuEntry, register

        # A plan's drift on its page (the funnel's, which cannot import reviews).
        register_panel("plans", "drift", plan_drift_panel)
        # Beside the plans it measures.
        register(MenuEntry(51, "drift", _("Plan drift"), Action.VIEW))
