from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonasConfig(AppConfig):
    name = "personas"
    verbose_name = _("Buyer personas")
    # No menu entry yet: the personas' pages come later in issue 15; the API serves them now.
