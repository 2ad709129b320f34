"""The playground's call: one chat completion through the platform's OpenAI-compatible gateway
(`GATEWAY_URL`, with the platform's `GATEWAY_API_KEY`; never a team's own provider key)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import urllib3
from django.conf import settings


@dataclass(frozen=True)
class Completion:
    answer: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: str = ""  # the gateway's own figure (LiteLLM: x-litellm-response-cost), if any
    error: str = ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def complete(alias: str, prompt: str) -> Completion:
    """Ask the gateway; a refusal or an unreachable gateway is an answer with `error` set."""
    if not settings.GATEWAY_URL:
        return Completion(error="No gateway is configured (GATEWAY_URL).")
    url = f"{settings.GATEWAY_URL.rstrip('/')}/v1/chat/completions"
    body = {"model": alias, "messages": [{"role": "user", "content": prompt}]}
    headers = {"Content-Type": "application/json"}
    if settings.GATEWAY_API_KEY:
        headers["Authorization"] = f"Bearer {settings.GATEWAY_API_KEY}"
    timeout = urllib3.Timeout(connect=settings.GATEWAY_TIMEOUT, read=settings.PLAYGROUND_TIMEOUT)
    try:
        response = urllib3.request("POST", url, body=json.dumps(body), headers=headers,
                                   timeout=timeout, retries=False, redirect=False)  # fmt: skip
    except urllib3.exceptions.HTTPError as exc:
        return Completion(error=f"The gateway cannot be reached: {exc}")
    text = response.data.decode(errors="replace")
    if response.status != 200:
        return Completion(error=f"The gateway answered {response.status}: {text[:500]}")
    try:
        data = json.loads(text)
        answer = data["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        return Completion(error="The gateway's answer is not a chat completion.")
    usage = data.get("usage") or {}
    return Completion(
        answer=str(answer), model=str(data.get("model") or ""),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        cost=response.headers.get("x-litellm-response-cost", ""),
    )  # fmt: skip
