from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and notifications")

    def ready(self) -> None:
        from orgs.permissions import Action
        from reviews import signals  # noqa: F401  (connects the receivers)
        from smarketing.lib.navigation import MenuEntry, register

        # Beside the API tokens (90): what other tools hear of.
        register(MenuEntry(91, "webhooks", _("Webhooks"), Action.MANAGE_WEBHOOKS))
