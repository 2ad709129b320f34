from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_audit_chain_head(sender: AppConfig, *, using: str, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    from portal.core.audit import ensure_head

    try:
        # migrate passes the migrated state; flush (tests) does not.
        ensure_head(kwargs.get("apps", global_apps), using)
    except LookupError:  # migrated back past the chain
        return


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Portal core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_audit_chain_head, sender=self)
        # `tasks` registers the delivery task, which notifications enqueue by name.
        from portal.core import events, sessions, tasks, user_cache  # noqa: F401

        events.discover()
        user_cache.connect_signals()
        user_logged_in.connect(sessions.renewed_at_sign_in, dispatch_uid="session_renewed")
