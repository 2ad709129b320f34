"""The SDK's tests run the `portal` command against a live portal, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.releases.conftest import author, scenario  # noqa: F401  the release fixtures
from tests.releases.test_pipeline_readme import portal_server, signers  # noqa: F401

PORTAL_COMMAND = Path(sys.executable).parent / "portal"


@pytest.fixture
def cli(portal_server: Any, author: Any) -> Any:  # noqa: F811
    """Run `portal ARGS` as the author (or with `token=`), as a CI job would: a new process."""
    from portal.core.token_services import token_create

    if not PORTAL_COMMAND.exists():
        pytest.fail(f"{PORTAL_COMMAND} is missing: `make install` installs ./sdk", pytrace=False)
    default_token = token_create(author, name="release pipeline")[1]

    def run(*args: str, token: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {**os.environ, "PORTAL_URL": portal_server.url, **env}
        environ["PORTAL_TOKEN"] = default_token if token is None else token
        return subprocess.run(
            [str(PORTAL_COMMAND), *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run
