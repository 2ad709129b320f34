"""Every API operation the SDK calls, written once: the client calls only these.

Paths are spelled as in the OpenAPI document (`/api/schema/`), so a test can look each one up
there, with the body it sends, the query parameters and headers it may set, and the body it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal_sdk import types

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    status: int = 200
    response: type | None = None  # the JSON body's type; a paginated list's row type
    paginated: bool = False
    request: type | None = None
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    media_type: str = "application/json"

    def url(self, base: str, **path: int) -> str:
        return base + self.path.format(**path)


ME = Endpoint("GET", "/api/v1/me/", response=types.Me)
SCENARIOS = Endpoint(
    "GET",
    "/api/v1/scenarios/",
    response=types.ScenarioSummary,
    paginated=True,
    query=("status", "team", "search", "page", "page_size"),
)
DECISION_RECORD = Endpoint(
    "GET", "/api/v1/scenarios/{id}/decision-record/", response=types.DecisionRecord
)
DECISION_RECORD_MARKDOWN = Endpoint(
    "GET", "/api/v1/scenarios/{id}/decision-record/markdown/", media_type="text/markdown"
)
RELEASE_CREATE = Endpoint(
    "POST",
    "/api/v1/releases/",
    status=201,
    response=types.Release,
    request=types.ReleaseDraft,
    headers=(IDEMPOTENCY_HEADER,),
)
RELEASE = Endpoint("GET", "/api/v1/releases/{id}/", response=types.Release)
RELEASE_SUBMIT = Endpoint(
    "POST",
    "/api/v1/releases/{id}/submit/",
    response=types.Release,
    request=types.TransitionRequest,
)

ALL = (
    ME,
    SCENARIOS,
    DECISION_RECORD,
    DECISION_RECORD_MARKDOWN,
    RELEASE_CREATE,
    RELEASE,
    RELEASE_SUBMIT,
)

# Release states the SDK reads (values of the schema's `ReleaseStatusEnum`): a release waits for
# its quality and cost sign-offs while submitted; a draft has not been submitted (or was revised).
RELEASE_DRAFT = "draft"
RELEASE_WAITING = "submitted"
RELEASE_REJECTED = "rejected"
RELEASE_STATES_USED = (RELEASE_DRAFT, RELEASE_WAITING, RELEASE_REJECTED)
