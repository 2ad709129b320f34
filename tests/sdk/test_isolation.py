"""The SDK is a client of the HTTP API: it never imports Django, DRF or the portal's apps, and
needs nothing beyond the standard library and requests (with its urllib3)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import portal_sdk

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "sdk" / "src" / "portal_sdk"
ALLOWED = {"portal_sdk", "requests", "urllib3"}


def _app_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["importlinter"]["root_packages"]) - {"portal_sdk"}


def test_the_installed_sdk_is_this_repository_s() -> None:
    assert Path(portal_sdk.__file__).resolve().parent == SOURCE


def test_sdk_modules_import_only_the_standard_library_and_requests() -> None:
    imported = set()
    for path in SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert imported - sys.stdlib_module_names - ALLOWED == set()


def test_importing_the_cli_loads_no_django_and_no_app(tmp_path: Path) -> None:
    # A fresh interpreter outside the repository: what a pipeline's job sees.
    probe = "import sys, portal_sdk.cli; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    top_level = {name.split(".")[0] for name in done.stdout.split()}
    assert "portal_sdk" in top_level and "requests" in top_level
    assert top_level & ({"django", "rest_framework"} | _app_packages()) == set()
