from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Sales-Marketing SLA")

    def ready(self) -> None:
        from sla import signals  # noqa: F401  (connects the receivers)
