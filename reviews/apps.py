from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and notifications")

    def ready(self) -> None:
        from orgs.permissions import Action
        from reviews import signals  # noqa: F401  (connects the receivers)
        from smarketing.lib.navigation import MenuEntry, register

        # With the SLA's pages (56 to 59), before the import (60).
        register(MenuEntry(59, "pulse-page", _("Alignment pulse"), Action.VIEW))
