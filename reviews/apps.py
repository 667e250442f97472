from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and notifications")

    def ready(self) -> None:
        from reviews import signals  # noqa: F401  (connects the receivers)
        from smarketing.lib.navigation import TopbarEntry, register_topbar

        # The bell in the header, with the unread count.
        register_topbar(
            TopbarEntry("notifications", "notification-list", _("Notifications"),
                        "notification-badge")
        )  # fmt: skip
