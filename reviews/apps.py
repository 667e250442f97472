from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and notifications")

    def ready(self) -> None:
        from orgs.permissions import Action
        from reviews import signals  # noqa: F401  (connects the receivers)
        from smarketing.lib.navigation import MenuEntry, register

        # The monthly review pack, after the dashboards and metrics it sums up (30-40),
        # before the plans (50).
        register(MenuEntry(45, "review-latest", _("Monthly review"), Action.VIEW))
