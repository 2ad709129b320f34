"""The connector interface to a gateway: `apply(alias, model)` routes an alias to a model,
`read()` returns the gateway's actual routing (alias -> model).

- generic: the gateway (a GitOps job or sidecar) hears of a move from the signed `alias.moved`
  webhook (integrations), pulls `GET /api/v1/gateway/aliases` and reports what it applied; its
  `apply` sends nothing itself and `read()` is what it last reported.
- litellm: LiteLLM proxy's model management API (`/model/info`, `/model/new`, `/model/delete`),
  authenticated with the key in the environment variable the connector names. An alias is a
  LiteLLM `model_name`; the model is its deployment's `litellm_params.model`.

Gateway addresses are set by admins (internal hosts), so these calls are not put through the
webhook SSRF guard; each has a timeout and never follows redirects.
"""

from __future__ import annotations

import json
import os
from typing import Any, Protocol

import urllib3
from django.conf import settings

from gateway.models import GatewayConnector


class GatewayError(Exception):
    """The gateway refused or could not be reached; the message says which and why."""


class Connector(Protocol):
    # True when `apply` returning means the gateway applied it (else a report confirms it).
    confirms_itself: bool

    def apply(self, alias: str, model: str) -> None: ...

    def read(self) -> dict[str, str]: ...


class GenericConnector:
    confirms_itself = False

    def __init__(self, config: GatewayConnector) -> None:
        self.config = config

    def apply(self, alias: str, model: str) -> None:
        """Nothing to send: the `alias.moved` webhook and the desired-state endpoint carry it."""

    def read(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.config.reported_state or {}).items()}


def _timeout() -> urllib3.Timeout:
    return urllib3.Timeout(connect=settings.GATEWAY_TIMEOUT, read=settings.GATEWAY_TIMEOUT)


def call_json(method: str, url: str, key: str, body: dict[str, Any] | None = None) -> Any:
    """One JSON request to a gateway; GatewayError on a refusal or a network failure."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        response = urllib3.request(
            method, url, body=json.dumps(body) if body is not None else None, headers=headers,
            timeout=_timeout(), retries=False, redirect=False,
        )  # fmt: skip
    except urllib3.exceptions.HTTPError as exc:
        raise GatewayError(f"The gateway at {url} cannot be reached: {exc}") from exc
    if response.status >= 300:
        text = response.data.decode(errors="replace")[:500]
        raise GatewayError(f"The gateway answered {response.status} to {method} {url}: {text}")
    try:
        return json.loads(response.data or b"null")
    except ValueError as exc:
        raise GatewayError(f"The gateway's answer to {method} {url} is not JSON.") from exc


class LiteLLMConnector:
    confirms_itself = True

    def __init__(self, config: GatewayConnector) -> None:
        self.base = config.base_url.rstrip("/")
        self.key = os.environ.get(config.secret_env, "") if config.secret_env else ""

    def _deployments(self) -> list[dict[str, Any]]:
        data = call_json("GET", f"{self.base}/model/info", self.key)
        rows = data.get("data") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise GatewayError("LiteLLM's /model/info answer has no data list.")
        return [row for row in rows if isinstance(row, dict)]

    def read(self) -> dict[str, str]:
        routing: dict[str, set[str]] = {}
        for row in self._deployments():
            model = (row.get("litellm_params") or {}).get("model", "")
            routing.setdefault(str(row.get("model_name", "")), set()).add(str(model))
        return {alias: ",".join(sorted(models)) for alias, models in routing.items() if alias}

    def apply(self, alias: str, model: str) -> None:
        """Add a deployment of `model` named `alias` unless there is one, then delete the
        alias's deployments of other models, and check the result with `read()`."""
        mine = [row for row in self._deployments() if row.get("model_name") == alias]
        if not any((row.get("litellm_params") or {}).get("model") == model for row in mine):
            call_json("POST", f"{self.base}/model/new", self.key,
                      {"model_name": alias, "litellm_params": {"model": model}})  # fmt: skip
        for row in mine:
            model_id = (row.get("model_info") or {}).get("id")
            if (row.get("litellm_params") or {}).get("model") != model and model_id:
                call_json("POST", f"{self.base}/model/delete", self.key, {"id": model_id})
        actual = self.read().get(alias, "")
        if actual != model:
            raise GatewayError(f"LiteLLM routes {alias} to {actual or 'nothing'}, not {model}.")


def connector_for(config: GatewayConnector) -> Connector:
    if config.kind == GatewayConnector.Kind.LITELLM:
        return LiteLLMConnector(config)
    return GenericConnector(config)
