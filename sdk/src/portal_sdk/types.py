"""The API's bodies as the SDK reads and writes them: each a subset of an OpenAPI schema component.

Only the fields the SDK and its users rely on are declared; `tests/sdk/test_schema_contract.py`
checks every one of them against the portal's current OpenAPI document, so a renamed or dropped
field fails there before it fails in a pipeline. Decimals travel as strings, as the API sends them.
"""

# No `from __future__ import annotations` here: on Python 3.11 it hides `Required` and
# `NotRequired` from TypedDict, which reads them at class creation.
from typing import Any, NotRequired, Required, TypedDict


class Person(TypedDict):
    """A person as lists and releases name them (`ReleasePerson`, `UserSummary`)."""

    id: int
    username: str
    name: str


class Me(TypedDict):
    """The signed-in user: the owner of the token."""

    id: int
    username: str
    name: str
    email: NotRequired[str]
    roles: list[str]
    teams: list[str]


class ScenarioSummary(TypedDict):
    """One row of the scenario list."""

    id: int
    name: str
    team: str
    status: str
    hosting: str
    primary_route: str
    product_owner: Person | None
    platform_owner: Person | None
    onboarded_at: str | None


class EvalGate(TypedDict):
    """The eval gate's verdict on a release's score."""

    outcome: str
    allows_approval: bool
    score: str | None
    threshold: str | None
    message: str


class CostCheck(TypedDict):
    """The cost estimate against the scenario's budget and target."""

    cost_per_request: str | None
    cost_per_outcome: str | None
    monthly_projection: str | None
    monthly_budget: str | None
    within_budget: bool | None


class SignOff(TypedDict):
    """A quality, cost or rollout sign-off record."""

    id: int
    revision: int
    kind: str
    decision: str
    actor: Person | None  # None: given by the system on the fast path
    comment: NotRequired[str]
    counts: bool
    created_at: NotRequired[str]


class Release(TypedDict):
    """A model or prompt release with its evidence and sign-offs."""

    id: int
    url: str
    scenario: int
    scenario_name: str
    title: str
    change_type: str
    model_name: str
    model_version: str
    alias_name: str
    prompt_family: str
    prompt_version: str
    status: str
    revision: int
    author: Person
    created_at: str
    submitted_at: str | None
    approved_at: str | None
    eval_run_ref: str
    eval_dataset: str
    eval_score: str | None
    eval_coverage: str | None
    cost_per_request: str | None
    accepted_outcome_rate: str | None
    eval_gate: EvalGate
    cost: CostCheck
    signoffs: list[SignOff]


class ReleaseDraft(TypedDict, total=False):
    """The body that creates a draft release."""

    scenario: Required[int]
    model_name: Required[str]
    alias_name: Required[str]
    title: str
    change_type: str
    model_version: str
    prompt_family: str
    prompt_version: str
    runtime: str
    runtime_version: str
    tool_changes: str
    changelog: str
    eval_run_ref: str
    eval_dataset: str
    eval_score: str
    eval_coverage: str
    cost_per_request: str
    accepted_outcome_rate: str


class TransitionRequest(TypedDict, total=False):
    """The body of a transition such as submit."""

    comment: str


class DecisionRecord(TypedDict):
    """A scenario's decision record: owners, contract, reviews, exceptions and aliases."""

    id: int
    name: str
    url: str
    team: str
    status: str
    status_label: str
    template: str | None
    raci: list[dict[str, Any]]
    escalation_path: list[dict[str, Any]]
    contract: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    open_exceptions: list[dict[str, Any]]
    aliases: list[dict[str, Any]]
    missing_for_submission: list[str]


class Page(TypedDict):
    """One page of a list: `results` holds the rows."""

    count: int
    next: str | None
    results: list[Any]
