"""Release fixtures: one onboarded scenario with every owner named, and its team's author."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import UserFactory
from tests.ports import free_port
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

ALIAS = "support-chat"


@pytest.fixture
def author(product_team: Any) -> Any:
    """A member of the scenario's team who is named for no sign-off."""
    return UserFactory(username="author", teams=[product_team])


@pytest.fixture
def scenario(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
) -> Any:
    return ScenarioFactory(
        name="Support answers",
        status="onboarded",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        incident_owner=incident_owner,
    )


@pytest.fixture
def make_release(scenario: Any, author: Any) -> Any:
    def make(status: str = "draft", **kwargs: Any) -> Any:
        kwargs.setdefault("scenario", scenario)
        kwargs.setdefault("author", author)
        kwargs.setdefault("alias_name", ALIAS)
        return ReleaseFactory(status=status, **kwargs)

    return make


# A real MLflow tracking server (SQLite backend) on a free loopback port, from the separate
# venv `make mlflow` builds (.ci/mlflow-venv, or MLFLOW_VENV). Missing: skip locally, fail in CI.
MLFLOW_VENV = Path(os.environ.get("MLFLOW_VENV", Path(__file__).parents[2] / ".ci/mlflow-venv"))
LOG_RUNS = Path(__file__).parent / "mlflow" / "log_runs.py"


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class MlflowServer:
    """The running server: its URL, and a way to log runs with the MLflow client (one client
    process for the session, fed JSON lines)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: subprocess.Popen[str] | None = None

    def log(self, *steps: dict[str, Any]) -> list[str]:
        if self._client is None:
            self._client = subprocess.Popen(
                [str(MLFLOW_VENV / "bin" / "python"), str(LOG_RUNS), self.url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self._client.stdin is not None and self._client.stdout is not None
        self._client.stdin.write(json.dumps(steps) + "\n")
        self._client.stdin.flush()
        answer = self._client.stdout.readline()
        if not answer:
            raise RuntimeError("The MLflow client process ended; see its output above.")
        ids: list[str] = json.loads(answer)
        return ids

    def close(self) -> None:
        if self._client is not None and self._client.stdin is not None:
            self._client.stdin.close()
            self._client.wait(timeout=30)

    def run(self, score: float, coverage: float = 95, dataset: str = "golden-v3") -> str:
        step = {
            "name": "eval",
            "metrics": {"eval_score": score, "eval_coverage": coverage},
            "params": {"dataset": dataset},
        }
        return self.log(step)[0]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: Any) -> Iterator[MlflowServer]:
    from tests.conftest import _missing

    executable = MLFLOW_VENV / "bin" / "mlflow"
    if not executable.exists():
        _missing("MLflow", f"no {executable}; run `make mlflow`")
    home = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [str(executable), "server", "--backend-store-uri", f"sqlite:///{home}/mlflow.db",
         "--default-artifact-root", str(home / "artifacts"), "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240  # a cold start creates its tables: slow on a busy box
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                _missing("MLflow", f"the server did not start; see {home / 'server.log'}")
            time.sleep(1)
        server = MlflowServer(url)
        yield server
        server.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def eval_server(mlflow_server: MlflowServer, settings: Any) -> MlflowServer:
    """The portal configured to read eval evidence from the real server."""
    settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "MLFLOW_URL": mlflow_server.url}
    return mlflow_server
