from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Webhooks and chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations import services, tasks  # noqa: F401  tasks registers the tasks
        from portal.core import events

        events.consume(services.enqueue_fan_out)
