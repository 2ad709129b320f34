from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "portal.reminders"
    label = "reminders"
    default_auto_field = "django.db.models.BigAutoField"
