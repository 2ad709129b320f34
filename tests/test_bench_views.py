"""The benchmark's baselines: mounted by bench settings only, and the plain view served by a
Django handler with no middleware, next to the same view behind every portal middleware."""

from __future__ import annotations

import io
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db


def _get(application: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        started.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return started["status"], started["headers"], body


def test_the_production_urlconf_mounts_no_bench_view() -> None:
    for path in ("/bench/ok/", "/bench/plain/", "/api/v1/bench/bare/"):
        with pytest.raises(Resolver404):
            resolve(path)
    for path in ("/bench/ok/", "/bench/plain/", "/api/v1/bench/bare/"):
        assert resolve(path, urlconf="bench.urls")


def test_plain_runs_no_middleware_and_ok_runs_all(settings: Any) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    from bench.wsgi import application

    status, headers, body = _get(application, "/bench/plain/")
    assert (status, body) == ("200 OK", b"ok")
    assert "X-Request-ID" not in headers and "Content-Security-Policy" not in headers

    status, headers, _body = _get(application, "/bench/ok/")
    assert status.startswith("302") and headers["Location"].startswith("/login/")
    assert "X-Request-ID" in headers and "Content-Security-Policy" in headers
