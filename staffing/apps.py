from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    label = "staffing"
    verbose_name = "Hiring profiles and team onboarding"
    default_auto_field = "django.db.models.BigAutoField"
