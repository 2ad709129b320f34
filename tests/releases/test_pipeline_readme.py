"""The README's "Use the API from a pipeline" examples, run as written against a live server.

Each example runs in its own process, like a CI job would; meanwhile this test plays the quality
and cost owners and signs the release off over the API as soon as it is submitted.

The server is Django's live server thread answering one request at a time: the example and the
sign-offs arrive together, and the in-memory SQLite test database (one shared connection) fails
concurrent writes with "table is locked". PostgreSQL would cope; serial requests suit both."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from portal.core.token_services import token_create
from releases.models import Release
from tests.factories import PASSWORD

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Use the API from a pipeline"
TIMEOUT_SECONDS = 90


def _examples(language: str) -> list[str]:
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def _shell_examples() -> tuple[str, str]:
    """(the `portal` command's example, the curl examples: the token exchange and the rest)."""
    cli = [block for block in _examples("sh") if "portal release" in block]
    curl = [block for block in _examples("sh") if "portal release" not in block]
    assert len(cli) == 1 and len(curl) == 2
    return cli[0], "\n".join(curl)


def _sign_off_when_submitted(base: str, scenario: Any, signers: dict[str, str]) -> bool:
    """Approve the scenario's submitted release with each owner's token; False if none yet."""
    listing = requests.get(
        f"{base}/api/v1/releases/",
        params={"scenario": scenario.pk, "status": "submitted"},
        headers={"Authorization": f"Token {signers['quality']}"},
        timeout=10,
    )
    listing.raise_for_status()
    for release in listing.json()["results"]:
        for kind, token in signers.items():
            signed = requests.post(
                f"{base}/api/v1/releases/{release['id']}/sign-off/",
                json={"kind": kind, "decision": "approve"},
                headers={"Authorization": f"Token {token}"},
                timeout=10,
            )
            assert signed.status_code == 200, signed.text
        return True
    return False


def _run(
    command: list[str], env: dict[str, str], portal_server: Any, scenario: Any, signers: Any
) -> tuple[int, str, str]:
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + TIMEOUT_SECONDS
    signed = False
    try:
        while process.poll() is None and time.monotonic() < deadline:
            signed = signed or _sign_off_when_submitted(portal_server.url, scenario, signers)
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
    out, err = process.communicate()
    return process.returncode, out, err


class _SerialWSGIServer(WSGIServer):
    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class _SerialServerThread(LiveServerThread):
    server_class = _SerialWSGIServer


@pytest.fixture
def portal_server(transactional_db: Any, settings: Any) -> Any:
    """Like pytest-django's `live_server`, serving one request at a time (see the docstring)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread = _SerialServerThread("localhost", StaticFilesHandler, shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = f"http://localhost:{thread.port}"
    yield thread
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


@pytest.fixture
def signers(quality_owner: Any, cost_owner: Any) -> dict[str, str]:
    return {
        "quality": token_create(quality_owner, name="quality review")[1],
        "cost": token_create(cost_owner, name="cost review")[1],
    }


def _env(portal_server: Any, scenario: Any, **extra: str) -> dict[str, str]:
    return {
        "PORTAL_URL": portal_server.url,
        "PORTAL_SCENARIO_ID": str(scenario.pk),
        "CI_PIPELINE_ID": "4711",
        "PORTAL_POLL_SECONDS": "0.2",
        "PORTAL_WAIT_MINUTES": "1",
        **extra,
    }


def test_readme_has_the_examples():
    assert len(_examples("sh")) == 3
    assert len(_examples("python")) == 1
    assert _shell_examples()


def test_cli_example_runs_against_a_live_server(
    portal_server: Any, tmp_path: Path, scenario: Any, author: Any, signers: Any
):
    if shutil.which("bash") is None:
        reason = "the README's shell examples need bash"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    script = tmp_path / "pipeline.sh"
    script.write_text(_shell_examples()[0])
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the venv's `portal`
    env = _env(portal_server, scenario, PORTAL_TOKEN=token_create(author, name="ci")[1], PATH=path)
    command = ["bash", "-euo", "pipefail", "-c", f"cd {tmp_path} && . {script}"]

    code, out, err = _run(command, env, portal_server, scenario, signers)
    assert code == 0, out + err
    release = Release.objects.get()
    assert (release.status, release.author, release.eval_run_ref) == ("approved", author, "ci/4711")
    assert out.startswith(f"{author.username} (")
    assert f"Release {release.pk} is submitted for its quality and cost sign-offs." in out
    assert "Outcome: approved" in out
    assert f"# Decision record: {scenario.name}" in (tmp_path / "decision-record.md").read_text()

    # A re-run of the same CI pipeline: the create replays, the submit and the wait pass.
    code, out, err = _run(command, env, portal_server, scenario, signers)
    assert code == 0, out + err
    assert f"Release {release.pk} was submitted before; it is approved." in out
    assert Release.objects.count() == 1


def test_python_example_runs_against_a_live_server(
    portal_server: Any, tmp_path: Path, scenario: Any, author: Any, signers: Any
):
    _token, text = token_create(author, name="release pipeline")
    script = tmp_path / "pipeline.py"
    script.write_text(_examples("python")[0])
    env = _env(portal_server, scenario, PORTAL_TOKEN=text)

    code, out, err = _run([sys.executable, str(script)], env, portal_server, scenario, signers)
    assert code == 0, out + err
    release = Release.objects.get()
    assert (release.status, release.author, release.eval_run_ref) == ("approved", author, "ci/4711")
    assert f"Release {release.pk} is approved; eval gate: passed" in out
    assert "quality: approve by" in out and "cost: approve by" in out
    assert f"Scenario {scenario.name} (onboarded)" in out

    # A re-run of the same CI pipeline: the create replays, nothing new is made.
    code, out, err = _run([sys.executable, str(script)], env, portal_server, scenario, signers)
    assert code == 0, out + err
    assert Release.objects.count() == 1


def test_curl_examples_run_against_the_portal_server(
    portal_server: Any, scenario: Any, author: Any, signers: Any
):
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        reason = f"the README's shell examples need {', '.join(missing)}"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    script = _shell_examples()[1]
    env = _env(portal_server, scenario, PORTAL_USER=author.username, PORTAL_PASSWORD=PASSWORD)

    code, out, err = _run(
        ["bash", "-euo", "pipefail", "-c", script], env, portal_server, scenario, signers
    )
    assert code == 0, out + err
    release = Release.objects.get()
    assert release.status == "approved"
    assert '"status": "approved"' in out
    assert f'"name": "{scenario.name}"' in out
    assert author.auth_token_set.filter(name="support-bot release pipeline").exists()
