from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonasConfig(AppConfig):
    name = "personas"
    verbose_name = _("Buyer personas")

    def ready(self) -> None:
        from personas import signals  # noqa: F401  (connects the receivers)
        from personas.extensions import LeadFitExtension
        from smarketing.lib.extensions import register

        register(LeadFitExtension())
