"""The README's "Read registers, history and the directory through the API" examples, run as
written against a live server by an admin (the audit trail is theirs alone)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from exceptions import services as exception_services
from portal.core.token_services import token_create
from releases import services as release_services
from tests.releases.factories import ReleaseFactory
from tests.releases.test_pipeline_readme import portal_server  # noqa: F401  the live server
from tests.scenarios.factories import ScenarioFactory

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Read registers, history and the directory through the API"
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


def _script() -> str:
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    [script] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return script


def test_examples_run_against_the_portal_server(
    portal_server: Any,  # noqa: F811
    tmp_path: Path,
    admin_user: Any,
    product_team: Any,
    product_owner: Any,
    platform_reviewer: Any,
) -> None:
    if missing := [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]:
        reason = f"the README's shell examples need {', '.join(missing)}"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    scenario = ScenarioFactory(
        name="Support answers", team=product_team, status="onboarded", product_owner=product_owner
    )
    requested = exception_services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, title="Gateway", **CASE
    )
    soon = timezone.localdate() + dt.timedelta(days=10)
    exception_services.exception_approve(requested.pk, actor=platform_reviewer, expires_on=soon)
    release = ReleaseFactory(scenario=scenario, author=product_owner)
    release_services.release_submit(release.pk, actor=product_owner)
    env = {
        **os.environ,
        "PORTAL_URL": portal_server.url,
        "PORTAL_TOKEN": token_create(admin_user, name="audit")[1],
        "RELEASE_ID": str(release.pk),
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _script()],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"title": "Gateway"' in done.stdout and '"team": "support-ai"' in done.stdout
    assert '"transition": "submit"' in done.stdout and '"actor": "po"' in done.stdout
    assert f'"object_repr": "{release}"' in done.stdout  # the audit trail answered the admin
    assert '"username": "po"' in done.stdout
    assert '"scenarios": [\n    "Support answers"\n  ]' in done.stdout
    assert "Gateway" in (tmp_path / "exceptions.csv").read_text()
