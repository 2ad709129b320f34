"""The benchmark's WSGI application: the portal, except `/bench/plain/`, which a Django handler
with no middleware serves (`DJANGO_SETTINGS_MODULE=bench.settings`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

PLAIN_PATH = "/bench/plain/"

portal = get_wsgi_application()
with override_settings(MIDDLEWARE=[]):
    # The handler reads MIDDLEWARE once, here: it keeps an empty chain.
    plain = WSGIHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = plain if environ.get("PATH_INFO") == PLAIN_PATH else portal
    return handler(environ, start_response)
