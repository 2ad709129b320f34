from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExceptionsConfig(AppConfig):
    name = "exceptions"
    label = "exceptions"
    verbose_name = _("Exceptions")
    default_auto_field = "django.db.models.BigAutoField"
