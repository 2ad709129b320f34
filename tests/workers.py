"""The suite runs in pytest-xdist workers (`make test`: `-n auto`); this plugin, loaded with
`-p tests.workers` before Django's settings are read, gives each worker its own services.

- Redis: worker gwK uses database base+K of REDIS_URL, so one worker's Celery queues, locks and
  flushes never meet another's. (PostgreSQL: pytest-django names each worker's test database
  test_<name>_gwK by itself.)
- Loopback ports: `tests.ports` gives each worker a range of its own.
- Servers that take long to start (MLflow, LiteLLM, the identity provider) are session fixtures;
  every test that uses one is put in that server's xdist group, so with `--dist loadgroup` one
  worker runs them all and the server starts once per run, not once per worker.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

# Session fixtures that start a server, and the group of the tests that use them.
SERVER_GROUPS = {"mlflow_server": "mlflow", "litellm_url": "litellm", "identity_provider": "oidc"}


def _worker_redis_url(url: str, worker: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + worker}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], int(_worker[2:]))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        groups = [group for fixture, group in SERVER_GROUPS.items() if fixture in names]
        if groups and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(groups[0]))
