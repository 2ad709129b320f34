from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = _("Gateway and playground")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gateway import services, tasks  # noqa: F401  tasks registers the tasks
        from portal.core import events

        events.consume(services.enqueue_moves_for_event)
