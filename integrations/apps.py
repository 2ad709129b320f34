from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Webhooks and chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations import services, tasks  # noqa: F401  tasks registers the tasks
        from portal.core import events

        events.consume(services.enqueue_fan_out)
