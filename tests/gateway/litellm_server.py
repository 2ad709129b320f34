"""A real LiteLLM proxy on loopback for the gateway tests: installed by `.ci/run` (and
`make litellm`) in its own venv, `.ci/litellm-venv`, so the app's lock file stays clean. Its
models answer with a fixed `mock_response`, so it needs no network and no provider key."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import urllib3

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LITELLM_BIN", ROOT / ".ci" / "litellm-venv" / "bin" / "litellm"))
MASTER_KEY = "sk-portal-test-master"
ANSWER = "A fixed answer from the gateway."
ALIAS = "support-chat"
MODEL = "openai/gpt-4o-mini"
CONFIG = f"""\
model_list:
  - model_name: {ALIAS}
    litellm_params:
      model: {MODEL}
      api_key: not-a-real-key
      mock_response: "{ANSWER}"
general_settings:
  master_key: {MASTER_KEY}
"""


def _ready(url: str) -> bool:
    try:
        response = urllib3.request("GET", f"{url}/health/liveliness", timeout=2, retries=False)
    except urllib3.exceptions.HTTPError:
        return False
    return response.status == 200


@contextmanager
def litellm_proxy(folder: Path, timeout: float = 180) -> Iterator[str]:
    """Start the proxy with the config above; yields its base URL. RuntimeError if it cannot."""
    if not BINARY.exists():
        raise RuntimeError(f"{BINARY} not found: run `make litellm` (or .ci/run)")
    config = folder / "litellm.yaml"
    config.write_text(CONFIG)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"}
    for name in ("DATABASE_URL", "REDIS_URL"):  # the portal's, never the proxy's
        env.pop(name, None)
    log = (folder / "litellm.log").open("wb")
    process = subprocess.Popen(
        [str(BINARY), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
    )  # fmt: skip
    try:
        end = time.monotonic() + timeout
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > end:
                raise RuntimeError(
                    f"LiteLLM did not start: {(folder / 'litellm.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
