from django.apps import AppConfig


class ExceptionsConfig(AppConfig):
    name = "exceptions"
    label = "exceptions"
    verbose_name = "Exceptions"
    default_auto_field = "django.db.models.BigAutoField"
