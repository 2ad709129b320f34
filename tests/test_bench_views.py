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


def test_the_report_gives_both_ratios_and_the_ok_views_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench import load

    info = {"session": "s", "token": "t", "approver_token": "a", "scenario": 1, "release": 2,
            "inbox_path": "/releases/sign-offs/", "approve_ids": [1], "expires_on": "2026-04-01"}  # fmt: skip
    rps = {"plain Django view": 5000.0, "signed-in ok view": 2500.0, "bare DRF view": 2000.0}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    for label in load.SIZES:
        for bare, _names in load.BLOCKS:
            results[(label, bare)] = [{"rps": rps[bare], "p50": 1.0, "p99": 2.0, "errors": 0.0}]
        for bare, names in load.BLOCKS:
            for name in names:
                run = {"rps": rps.get(name, rps[bare] / 4), "p50": 1.0, "p99": 2.0, "errors": 0.0}
                results.setdefault((label, name), []).append({**run, "bare_rps": rps[bare]})
    counts = {"queries": {"signed-in ok view": 0}, "writes": {"signed-in ok view": 0}}
    load.report(dict.fromkeys(load.SIZES, info), dict.fromkeys(load.SIZES, counts), results)

    lines = capsys.readouterr().out.splitlines()
    ok_row = next(line for line in lines if line.startswith("signed-in ok view"))
    assert "0.50 (0.50-0.50)" in ok_row  # to plain Django
    list_row = next(line for line in lines if line.startswith("scenario list"))
    assert "0.25 (0.25-0.25)" in list_row and "0.12 (0.12-0.12)" in list_row
    api_row = next(line for line in lines if line.startswith("API scenario list"))
    assert "0.25 (0.25-0.25)" in api_row and "0.10 (0.10-0.10)" in api_row
    verdict = lines[lines.index(next(x for x in lines if x.startswith("signed-in ok view"))) + 2]
    assert "plain target >= 0.4: met" in verdict and "<= 1 query, 0 writes: met" in verdict
