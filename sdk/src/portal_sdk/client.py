"""`PortalClient`: the portal's API over HTTP with a personal API token.

Transient failures (connection errors, 429, 502, 503, 504) are retried with backoff, POSTs
included: a create carries an `Idempotency-Key`, so its retry returns the first draft, and a
submit that already went through answers 409, which `release_submit` takes for success.
"""

from __future__ import annotations

import enum
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from portal_sdk import endpoints
from portal_sdk.endpoints import Endpoint
from portal_sdk.types import DecisionRecord, Me, Page, Release, ReleaseDraft, ScenarioSummary

URL_VARIABLE = "PORTAL_URL"
TOKEN_VARIABLE = "PORTAL_TOKEN"
USER_AGENT = "portal-sdk/0.1"
PAGE_SIZE = 100
JSON = "application/json"


class ConfigError(Exception):
    """The client cannot be built: a setting is missing or malformed."""


@dataclass
class APIError(Exception):
    """The API answered with an error (its body is `{"detail", "code", "errors"?}`)."""

    method: str
    url: str
    status: int
    detail: str
    code: str = ""
    errors: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = f"{self.method} {self.url}: {self.status} {self.code or 'error'}: {self.detail}"
        for name, messages in self.errors.items():
            text += f"\n  {name}: {_flatten(messages)}"
        return text

    @property
    def conflict(self) -> bool:
        """The object is in the wrong state for this action (or a concurrent action won)."""
        return self.status == 409


def _flatten(messages: Any) -> str:
    if isinstance(messages, list):
        return "; ".join(_flatten(item) for item in messages)
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in messages.items())
    return str(messages)


@dataclass(frozen=True)
class Created:
    """A created release, and whether the API replayed an earlier create with the same key."""

    release: Release
    replayed: bool


class WaitOutcome(enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    TIMEOUT = "timeout"
    NOT_SUBMITTED = "not_submitted"


@dataclass(frozen=True)
class WaitResult:
    outcome: WaitOutcome
    release: Release


class PortalClient:
    """The API of one portal, acting as the owner of `token`."""

    def __init__(
        self, url: str, token: str, *, timeout: float = 30, retries: int = 5, backoff: float = 1
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"the portal's URL must start with http:// or https://: {url!r}")
        if not token:
            raise ConfigError("an API token is required")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "User-Agent": USER_AGENT})
        retry = Retry(
            total=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 502, 503, 504),
            allowed_methods=None,  # POSTs too: see the module docstring
            raise_on_status=False,
        )
        self.session.mount(self.url, HTTPAdapter(max_retries=retry))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> PortalClient:
        """A client for `PORTAL_URL` with the token in `PORTAL_TOKEN`."""
        environ = os.environ if environ is None else environ
        missing = [name for name in (URL_VARIABLE, TOKEN_VARIABLE) if not environ.get(name)]
        if missing:
            raise ConfigError(f"set {' and '.join(missing)} (see `portal --help`)")
        return cls(environ[URL_VARIABLE], environ[TOKEN_VARIABLE], **options)

    def absolute(self, path: str) -> str:
        """A link the API gives relative to the portal (a release's `url`), made absolute."""
        return path if path.startswith(("http://", "https://")) else self.url + path

    def _call(
        self,
        endpoint: Endpoint,
        path: Mapping[str, int] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = endpoint.url(self.url, **(path or {}))
        response = self.session.request(
            endpoint.method,
            url,
            params={k: v for k, v in (params or {}).items() if v not in (None, "")},
            json=body,
            headers={"Accept": _accept(endpoint), **(headers or {})},
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise _error(endpoint.method, url, response)
        return response

    def me(self) -> Me:
        """The token's owner: who the pipeline acts as."""
        return cast(Me, self._call(endpoints.ME).json())

    def scenarios(
        self,
        *,
        status: str | None = None,
        team: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[ScenarioSummary]:
        """Scenarios the token's owner may see, page after page, at most `limit` of them."""
        query: dict[str, Any] = {"status": status, "team": team, "search": search}
        page, seen = 1, 0
        while True:
            query.update(page=page, page_size=page_size)
            listing = cast(Page, self._call(endpoints.SCENARIOS, params=query).json())
            for row in listing["results"]:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield cast(ScenarioSummary, row)
            if not listing["next"]:
                return
            page += 1

    def decision_record(self, scenario_id: int) -> DecisionRecord:
        return cast(
            DecisionRecord, self._call(endpoints.DECISION_RECORD, {"id": scenario_id}).json()
        )

    def decision_record_markdown(self, scenario_id: int) -> str:
        """The decision record as the portal renders it in Markdown."""
        response = self._call(endpoints.DECISION_RECORD_MARKDOWN, {"id": scenario_id})
        response.encoding = response.encoding or "utf-8"
        return response.text

    def release(self, release_id: int) -> Release:
        return cast(Release, self._call(endpoints.RELEASE, {"id": release_id}).json())

    def release_create(self, draft: ReleaseDraft, *, idempotency_key: str | None = None) -> Created:
        """Draft a release; a retry with the same key returns the first draft (`replayed`)."""
        key = idempotency_key or str(uuid.uuid4())
        response = self._call(
            endpoints.RELEASE_CREATE,
            body=draft,
            headers={endpoints.IDEMPOTENCY_HEADER: key},
        )
        replayed = response.headers.get(endpoints.REPLAYED_HEADER, "").lower() == "true"
        return Created(cast(Release, response.json()), replayed)

    def release_submit(self, release_id: int, *, comment: str = "") -> Release:
        """Submit a draft for its quality and cost sign-offs; a release already submitted (by a
        retried POST or an earlier run of the job) is returned as it is now, not refused."""
        body = {"comment": comment}
        try:
            response = self._call(endpoints.RELEASE_SUBMIT, {"id": release_id}, body=body)
        except APIError as error:
            if not error.conflict:
                raise
            release = self.release(release_id)
            if release["status"] == endpoints.RELEASE_DRAFT:
                raise  # still a draft: the conflict was something else
            return release
        return cast(Release, response.json())

    def release_wait(
        self,
        release_id: int,
        *,
        timeout: float,
        interval: float = 30,
        on_poll: Callable[[Release], None] | None = None,
    ) -> WaitResult:
        """Poll a submitted release until it leaves `submitted` or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        release = self.release(release_id)
        while release["status"] == endpoints.RELEASE_WAITING:
            if on_poll is not None:
                on_poll(release)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return WaitResult(WaitOutcome.TIMEOUT, release)
            time.sleep(min(interval, remaining))
            release = self.release(release_id)
        return WaitResult(_decided(release), release)


def _accept(endpoint: Endpoint) -> str:
    # Errors come as JSON whatever the success body is (the Markdown record's, say).
    if endpoint.media_type == JSON:
        return JSON
    return f"{endpoint.media_type}, {JSON};q=0.9"


def _decided(release: Release) -> WaitOutcome:
    # A release that moved on (rolling out, released, ...) was approved first: approved_at says so.
    if release["approved_at"]:
        return WaitOutcome.APPROVED
    if release["status"] == endpoints.RELEASE_REJECTED:
        return WaitOutcome.REJECTED
    return WaitOutcome.NOT_SUBMITTED


def _error(method: str, url: str, response: requests.Response) -> APIError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return APIError(method, url, response.status_code, response.text[:500] or response.reason)
    errors = body.get("errors")
    return APIError(
        method,
        url,
        response.status_code,
        str(body.get("detail", response.reason)),
        str(body.get("code", "")),
        errors if isinstance(errors, dict) else {},
    )
