"""Authorization matrix: every route x method x role against an explicit allow/deny table.

The routes come from the URL resolver (HTML pages) and from the OpenAPI schema (every API path
and method), so a new route without a row here fails the suite. The table is written from
DOMAIN.md ("Who may do what") and the apps' policies.py; each object is in the state where the
action is available, so the permission is what decides (a wrong state would be a 409 for
everyone). Each request runs in a transaction that is rolled back, so one role's success never
changes what the next role sees.

Deny is 401/403/404 or a redirect to a login page (with the way back in `next`); allow is anything else (2xx, 3xx, 400, 409).
An admin is asked without the explicit delegate flag: acting in someone's place is a separate,
recorded choice, covered by the apps' own tests."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.views import APIView

from portal.core.models import ApiToken
from scenarios import checklist
from tests.factories import PASSWORD
from tests.reliability.world import ROLES, World, build

pytestmark = pytest.mark.django_db

Data = Callable[[World], dict[str, Any]] | None

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous", "inactive"}
NOBODY: frozenset[str] = frozenset()
PLATFORM = frozenset({"reviewer", "platform_owner"})
# Members of the scenario's product team (the quality, cost and incident owners are members).
TEAM = frozenset({"team_po", "quality", "cost", "incident"})
# Drafts: only their team, the platform team and admins see them.
DRAFT_READERS = TEAM | PLATFORM | {"admin"}
PRODUCT_OWNERS = frozenset({"team_po", "other_po"})
INCIDENT_OWNERS = frozenset({"team_po", "platform_owner", "incident"})  # copied from the RACI
MODEL_ROLLBACK = PLATFORM | {"incident"}  # the release rules: platform or the incident owner


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # URL name (HTML) or schema path (API)
    allow: frozenset[str]
    target: str = ""  # "<kind>:<state>" of the object the route acts on
    data: Data = None
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""


def row(method: str, route: str, allow: Any, target: str = "", data: Data = None, **kw: Any) -> Row:
    query = kw.pop("query", "")
    return Row(method, route, frozenset(allow), target, data, kw, query)


def _later(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


REVIEW_FORM = {f"{key}_passed": "pass" for key in checklist.ITEM_KEYS} | {"comment": "Reviewed."}
CASE = {
    "justification": "The gateway lacks the model we need this quarter.",
    "risk": "low",
    "risk_reason": "Read-only use.",
    "compensating_controls": "Weekly review.",
}


def _release_form(w: World) -> dict[str, Any]:
    return {
        "scenario": w.scenario["onboarded"].pk,
        "change_type": "model",
        "model_name": "gpt-4.1",
        "alias_name": w.release["draft"].alias_name,
        "changelog": "Matrix release.",
    }


def _postmortem_form(w: World) -> dict[str, Any]:
    return {
        "summary": "What happened.",
        "timeline": "When.",
        "contributing_factors": "Why.",
        "what_went_well": "Rollback.",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-description": "Rebuild the index.",
        "items-0-owner": w.people["incident"].pk,
        "items-0-due_on": _later(7),
    }


SUPPORT_FORM = {"title": "How do we cache?", "category": "onboarding", "description": "Details."}
TOOL_FORM = {
    "name": "matrix-search",
    "description": "Search.",
    "stability": "stable",
    "allowed": "on",
}
TEMPLATE_FORM = {
    "name": "Matrix RAG template",
    "primary_route": "rag",
    "human_review": "sampled",
    "fallback": "human",
    "hosting": "maas",
    "context_budget_tokens": "8000",
    "prefix_stability": "stable",
    "cache_hit_slo": "60",
}

SCIM_ROUTES = ("root", "users", "groups", "service-provider-config", "resource-types", "schemas")

# fmt: off
HTML_TABLE: list[Row] = [
    # Core pages
    row("GET", "home", SIGNED_IN),
    row("GET", "healthz", EVERYONE),
    row("GET", "readyz", EVERYONE),
    row("GET", "login", EVERYONE),
    row("POST", "login", EVERYONE, data=lambda w: {"username": "m-outsider", "password": PASSWORD}),
    row("POST", "logout", SIGNED_IN),
    row("POST", "theme-set", EVERYONE, data=lambda w: {"theme": "dark"}),
    row("POST", "language-set", EVERYONE, data=lambda w: {"language": "ru"}),
    row("GET", "profile", SIGNED_IN),
    row("POST", "token-create", SIGNED_IN, data=lambda w: {"name": "ci", "expires_in_days": "30"}),
    row("POST", "token-revoke", {"team_po", "admin"}, "token:"),
    row("GET", "tokens-all", {"admin"}),
    row("GET", "api-schema", EVERYONE),  # the OpenAPI document is public, like the API docs
    row("GET", "api-docs", EVERYONE),
    # Sign-in through the identity provider: 404 while none is configured, as here (the flow
    # is covered against a real provider in tests/identity). SCIM takes only its bearer token,
    # never a session: 401 for every role (tests/identity/test_scim.py).
    row("GET", "oidc_authentication_init", NOBODY),
    row("GET", "oidc_authentication_callback", NOBODY),
    *[row(method, f"scim:{name}", NOBODY) for name in SCIM_ROUTES for method in ("GET", "POST")],
    # Scenarios
    row("GET", "scenarios:list", SIGNED_IN),
    row("GET", "scenarios:review_queue", SIGNED_IN),
    row("GET", "scenarios:create", PRODUCT_OWNERS | PLATFORM),
    # Another team's product owner may open intakes (for their own team: the form offers no other).
    row("POST", "scenarios:create", PRODUCT_OWNERS | PLATFORM,
        data=lambda w: {"team": w.teams["support-ai"].pk, "name": "New intake"}),
    row("GET", "scenarios:detail", DRAFT_READERS, "scenario:draft"),
    row("GET", "scenarios:edit", {"team_po"} | PLATFORM, "scenario:draft"),
    row("POST", "scenarios:edit", {"team_po"} | PLATFORM, "scenario:draft",
        lambda w: {"team": w.teams["support-ai"].pk, "name": "Renamed intake"}),
    row("GET", "scenarios:review", SIGNED_IN, "scenario:in_review"),
    row("GET", "scenarios:record_markdown", DRAFT_READERS, "scenario:draft"),
    row("POST", "scenarios:submit", {"team_po"}, "scenario:draft"),
    # The platform owner is named in the RACI, so may not review; the team PO submitted it.
    row("POST", "scenarios:start_review", {"reviewer"}, "scenario:submitted"),
    row("POST", "scenarios:approve", {"reviewer"}, "scenario:in_review", lambda w: REVIEW_FORM),
    row("POST", "scenarios:request_changes", {"reviewer"}, "scenario:in_review",
        lambda w: REVIEW_FORM),
    row("POST", "scenarios:reject", {"reviewer"}, "scenario:in_review", lambda w: REVIEW_FORM),
    row("POST", "scenarios:onboard", PLATFORM, "scenario:approved"),
    row("POST", "scenarios:retire", PLATFORM | {"team_po"}, "scenario:onboarded",
        lambda w: {"comment": "Replaced."}),
    # Amendments of live scenarios: the team's product owners and platform propose; a platform
    # reviewer named nowhere decides (the platform owner is named in the RACI).
    row("GET", "scenarios:amendment_list", SIGNED_IN),
    row("GET", "scenarios:amendment_detail", SIGNED_IN, "amendment:draft"),
    row("GET", "scenarios:amendment_edit", {"team_po"} | PLATFORM, "amendment:draft"),
    row("POST", "scenarios:amendment_edit", {"team_po"} | PLATFORM, "amendment:draft",
        lambda w: {"summary": "Edited"}),
    row("POST", "scenarios:amendment_submit", {"team_po"} | PLATFORM, "amendment:draft"),
    row("POST", "scenarios:amendment_withdraw", {"team_po"} | PLATFORM, "amendment:draft"),
    row("POST", "scenarios:amendment_approve", {"reviewer"}, "amendment:submitted"),
    row("POST", "scenarios:amendment_request_changes", {"reviewer"}, "amendment:submitted",
        lambda w: {"comment": "More."}),
    row("POST", "scenarios:amendment_reject", {"reviewer"}, "amendment:submitted",
        lambda w: {"comment": "No."}),
    row("GET", "scenarios:amendment_open", {"team_po"} | PLATFORM, "scenario:onboarded"),
    row("POST", "scenarios:amendment_open", {"team_po"} | PLATFORM, "scenario:onboarded",
        lambda w: {"kind": "change", "summary": "Another"}),
    row("GET", "scenarios:minor_edit", {"team_po"} | PLATFORM, "scenario:onboarded"),
    row("POST", "scenarios:minor_edit", {"team_po"} | PLATFORM, "scenario:onboarded",
        lambda w: {"description": "Also in French."}),
    # Tool registry and golden-path templates: everyone reads, the platform and admins write.
    row("GET", "scenarios:tool_list", SIGNED_IN),
    row("GET", "scenarios:tool_detail", SIGNED_IN, "tool:"),
    row("GET", "scenarios:tool_create", PLATFORM | {"admin"}),
    row("POST", "scenarios:tool_create", PLATFORM | {"admin"},
        data=lambda w: {**TOOL_FORM, "name": "matrix-new-tool"}),
    row("GET", "scenarios:tool_edit", PLATFORM | {"admin"}, "tool:"),
    row("POST", "scenarios:tool_edit", PLATFORM | {"admin"}, "tool:", lambda w: TOOL_FORM),
    row("GET", "scenarios:template_list", SIGNED_IN),
    row("GET", "scenarios:template_detail", SIGNED_IN, "template:"),
    row("GET", "scenarios:template_create", PLATFORM | {"admin"}),
    row("POST", "scenarios:template_create", PLATFORM | {"admin"},
        data=lambda w: {**TEMPLATE_FORM, "name": "Matrix agent template"}),
    row("GET", "scenarios:template_edit", PLATFORM | {"admin"}, "template:"),
    row("POST", "scenarios:template_edit", PLATFORM | {"admin"}, "template:",
        lambda w: {**TEMPLATE_FORM, "context_budget_tokens": "4000"}),
    row("POST", "scenarios:template_retire", PLATFORM | {"admin"}, "template:"),
    # Exceptions
    row("GET", "exceptions:list", SIGNED_IN),
    row("GET", "exceptions:export", SIGNED_IN),
    row("GET", "exceptions:detail", SIGNED_IN, "exception:requested"),
    row("GET", "exceptions:request", PRODUCT_OWNERS),
    row("POST", "exceptions:request", PRODUCT_OWNERS,
        data=lambda w: {"kind": "eval_gate_bypass", "scenario": w.scenario["onboarded"].pk, **CASE}),
    row("GET", "exceptions:detect", PLATFORM),
    row("POST", "exceptions:detect", PLATFORM,
        data=lambda w: {"kind": "provider_keys", "scenario": w.scenario["onboarded"].pk,
                        "detection_note": "Keys in the repository."}),
    row("GET", "exceptions:justify", {"team_po"}, "exception:detected"),
    row("POST", "exceptions:justify", {"team_po"}, "exception:detected",
        lambda w: CASE),
    row("POST", "exceptions:approve", PLATFORM, "exception:requested",
        lambda w: {"expires_on": _later()}),
    row("POST", "exceptions:reject", PLATFORM, "exception:requested",
        lambda w: {"comment": "Use the gateway."}),
    row("POST", "exceptions:revoke", PLATFORM, "exception:approved",
        lambda w: {"reason": "Abused."}),
    row("POST", "exceptions:close", PLATFORM | {"team_po"}, "exception:approved",
        lambda w: {"comment": "Back on the gateway."}),
    # Releases
    row("GET", "releases:list", SIGNED_IN),
    row("GET", "releases:inbox", SIGNED_IN),
    row("GET", "releases:aliases", SIGNED_IN),
    row("GET", "releases:alias", SIGNED_IN, "alias:"),
    # Members of any product team open the form; it offers only their own team's scenarios.
    row("GET", "releases:create", TEAM),
    row("POST", "releases:create", TEAM, data=_release_form),
    row("GET", "releases:detail", DRAFT_READERS, "release:draft"),
    row("GET", "releases:edit", TEAM, "release:draft"),
    row("POST", "releases:edit", TEAM, "release:draft", _release_form),
    row("POST", "releases:submit", TEAM, "release:draft"),
    row("POST", "releases:revise", TEAM, "release:rejected", lambda w: {"comment": "Again."}),
    row("POST", "releases:sign-off", {"quality"}, "release:submitted",
        lambda w: {"decision": "approve", "comment": "Good."}, kind="quality"),
    row("POST", "releases:sign-off", {"cost"}, "release:submitted",
        lambda w: {"decision": "approve", "comment": "Within budget."}, kind="cost"),
    row("POST", "releases:sign-off", {"team_po"}, "release:approved",
        lambda w: {"decision": "approve"}, kind="product_rollout"),
    row("POST", "releases:sign-off", {"platform_owner"}, "release:approved",
        lambda w: {"decision": "approve"}, kind="platform_rollout"),
    row("POST", "releases:start-rollout", PLATFORM | {"team_po"}, "release:approved"),
    row("POST", "releases:release", PLATFORM, "release:rolling_out"),
    row("POST", "releases:rollback", PLATFORM | {"incident"}, "release:released",
        lambda w: {"comment": "Regression."}),
    # Incidents
    row("GET", "incidents:list", SIGNED_IN),
    row("GET", "incidents:detail", SIGNED_IN, "incident:open"),
    row("GET", "incidents:open", SIGNED_IN),
    row("POST", "incidents:open", SIGNED_IN,
        data=lambda w: {"title": "Wrong answers", "severity": "SEV4", "description": "Bad."},
        query="scenario={onboarded}"),
    row("POST", "incidents:add-update", SIGNED_IN, "incident:open", lambda w: {"text": "Looking."}),
    row("POST", "incidents:hand-over", {"incident"}, "incident:open",
        lambda w: {"to": w.people["platform_owner"].pk}),
    # Moving the alias back also needs the release rules (platform or the incident owner); any
    # of the incident's owners may take a tool out of the scenario's policy.
    row("POST", "incidents:rollback", MODEL_ROLLBACK, "incident:acknowledged",
        lambda w: {"kind": "model", "release": w.release["released"].pk, "reason": "Bad."}),
    row("POST", "incidents:rollback", INCIDENT_OWNERS | PLATFORM, "incident:acknowledged",
        lambda w: {"kind": "tool", "release": w.release["released"].pk, "tool": w.tool.pk,
                   "reason": "Tool misbehaves."}),
    row("POST", "incidents:postmortem", {"incident"} | PLATFORM, "incident:resolved",
        _postmortem_form),
    row("POST", "incidents:acknowledge", {"incident"}, "incident:open"),
    row("POST", "incidents:mitigate", INCIDENT_OWNERS | PLATFORM, "incident:acknowledged"),
    row("POST", "incidents:resolve", INCIDENT_OWNERS | PLATFORM, "incident:mitigated"),
    row("POST", "incidents:close", {"incident"} | PLATFORM, "incident:resolved"),
    # Dashboard
    row("GET", "dashboard:dashboard", SIGNED_IN),
    row("GET", "dashboard:metrics-csv", {"admin"}),
    row("GET", "dashboard:scorecard", SIGNED_IN),
    row("GET", "dashboard:drill-down", SIGNED_IN, key="mttr"),
    # Webhooks and chat channels: admins; a team's product owners for its channels. The bad
    # URLs make the POSTs a 400 for whoever may send them (the SSRF guard refuses loopback).
    row("GET", "integrations:endpoint_list", {"admin"}),
    row("POST", "integrations:endpoint_list", {"admin"}, data=lambda w: {"url": "http://127.0.0.1/x"}),
    row("GET", "integrations:endpoint_detail", {"admin"}, "extra:endpoint"),
    row("POST", "integrations:endpoint_rotate", {"admin"}, "extra:endpoint"),
    row("POST", "integrations:endpoint_toggle", {"admin"}, "extra:endpoint"),
    row("POST", "integrations:delivery_redeliver", {"admin"}, "extra:delivery"),
    row("GET", "integrations:team_channels", {"team_po", "admin"}, slug="support-ai"),
    row("POST", "integrations:team_channels", {"team_po", "admin"}, slug="support-ai",
        data=lambda w: {"kind": "slack", "name": "#x", "url": "http://127.0.0.1/x"}),
    row("POST", "integrations:channel_delete", {"team_po", "admin"}, "extra:channel"),
    row("GET", "integrations:slack_link", SIGNED_IN),
    row("POST", "integrations:slack_link", SIGNED_IN, data=lambda w: {"token": "forged"}),
    # Slack signs its requests; an unsigned one is refused (401) whoever sends it.
    row("POST", "integrations:slack_interactions", NOBODY),
    # Gateway moves and the playground (team members of the scenario, and the platform).
    row("GET", "gateway:playground", TEAM | PLATFORM, "scenario:onboarded"),
    row("POST", "gateway:playground", TEAM | PLATFORM, "scenario:onboarded",
        lambda w: {"alias": w.alias.name, "prompt": "Hello?"}),
    row("GET", "gateway:run", {"team_po"}, "extra:run"),
    row("POST", "gateway:move-retry", PLATFORM, "extra:move"),
    # People and teams directory
    row("GET", "directory:people", SIGNED_IN),
    row("GET", "directory:teams", SIGNED_IN),
    row("GET", "directory:team", SIGNED_IN, slug="support-ai"),
    # Support requests (opened by the team's product owner)
    # Hiring profiles and team onboarding
    row("GET", "staffing:index", SIGNED_IN),
    row("GET", "staffing:profiles", SIGNED_IN),
    row("GET", "staffing:profile_new", PLATFORM),
    row("POST", "staffing:profile_new", PLATFORM,
        data=lambda w: {"role": "quality_owner", "title": "Q", "skills": "evaluation | 3 | Evals"}),
    row("GET", "staffing:profile", SIGNED_IN, "extra:profile_published"),
    row("GET", "staffing:profile", PLATFORM | {"admin"}, "extra:profile_draft"),
    row("GET", "staffing:profile_markdown", SIGNED_IN, "extra:profile_published"),
    row("GET", "staffing:profile_edit", PLATFORM, "extra:profile_published"),
    row("POST", "staffing:profile_edit", PLATFORM, "extra:profile_published",
        lambda w: {"title": "Matrix cost owner v2", "skills": "cost | 3 | Budgets"}),
    row("POST", "staffing:profile_publish", PLATFORM, "extra:profile_draft"),
    row("GET", "staffing:onboardings", SIGNED_IN),
    row("GET", "staffing:onboarding_new", PRODUCT_OWNERS | PLATFORM),
    # The team's product owner or the platform; another team's product owner is refused.
    row("POST", "staffing:onboarding_new", {"team_po"} | PLATFORM,
        data=lambda w: {"team": w.teams["support-ai"].pk,
                        "onboarding_owner": w.people["reviewer"].pk}),
    row("GET", "staffing:onboarding", SIGNED_IN, "extra:onboarding_requested"),
    # back-office's product owner and its onboarding owner (the reviewer)
    row("POST", "staffing:onboarding_start", {"other_po", "reviewer"}, "extra:onboarding_requested"),
    row("POST", "staffing:onboarding_tick", {"other_po", "reviewer"}, "extra:onboarding_requested",
        lambda w: {"item": "sdk_installed"}),
    # Its onboarding owner only (the team has no product owner yet): a 409 for the open checklist.
    row("POST", "staffing:onboarding_complete", {"platform_owner"},
        "extra:onboarding_in_progress"),
    row("GET", "support:list", SIGNED_IN),
    row("GET", "support:queue", PLATFORM | {"admin"}),
    row("GET", "support:new", SIGNED_IN),
    row("POST", "support:new", SIGNED_IN, data=lambda w: SUPPORT_FORM),
    row("GET", "support:detail", SIGNED_IN, "support:open"),
    row("GET", "support:edit", {"team_po"}, "support:open"),
    row("POST", "support:edit", {"team_po"}, "support:open", lambda w: SUPPORT_FORM),
    row("POST", "support:delete", {"team_po", "admin"}, "support:open"),
    row("POST", "support:comment", SIGNED_IN, "support:open", lambda w: {"body": "Same here."}),
    row("POST", "support:answer", PLATFORM, "support:open", lambda w: {"body": "Use the cache."}),
    row("POST", "support:close", PLATFORM, "support:open"),
    row("POST", "support:reopen", {"team_po"} | PLATFORM, "support:answered",
        lambda w: {"comment": "Still broken."}),
]

DECISION = {"comment": "Reviewed.",
            "checklist": [{"item": key, "passed": True} for key in checklist.ITEM_KEYS]}
API_CASE = {"justification": "Needed.", "risk": "low", "risk_reason": "Small.",
            "compensating_controls": "Review."}


def _api_release(w: World) -> dict[str, Any]:
    return {"scenario": w.scenario["onboarded"].pk, "change_type": "model",
            "model_name": "gpt-4.1", "alias_name": w.release["draft"].alias_name}


def _api_release_edit(w: World) -> dict[str, Any]:
    # The scenario is fixed once the release exists; naming it in an edit is refused.
    return {key: value for key, value in _api_release(w).items() if key != "scenario"}


def _api_postmortem(w: World) -> dict[str, Any]:
    item = {"description": "Rebuild the index.", "owner": w.people["incident"].pk,
            "due_on": _later(7)}
    return {"summary": "S.", "timeline": "T.", "contributing_factors": "C.",
            "what_went_well": "W.", "action_items": [item]}


V1 = "/api/v1"

API_TABLE: list[Row] = [
    row("GET", f"{V1}/me/", SIGNED_IN),
    row("GET", f"{V1}/audit/", {"admin"}),
    row("GET", f"{V1}/tokens/", SIGNED_IN),
    # A token may not mint tokens (a leaked one would renew itself); the matrix calls the API
    # with tokens, so nobody may. Session and password creation are tested in tests/core.
    row("POST", f"{V1}/tokens/", NOBODY, data=lambda w: {"name": "ci"}),
    row("GET", f"{V1}/tokens/{{id}}/", {"team_po", "admin"}, "token:"),
    row("DELETE", f"{V1}/tokens/{{id}}/", {"team_po", "admin"}, "token:"),
    # Scenarios
    row("GET", f"{V1}/scenarios/", SIGNED_IN),
    # The intake names the product team: only its product owners and the platform.
    row("POST", f"{V1}/scenarios/", {"team_po"} | PLATFORM,
        data=lambda w: {"team": "support-ai", "name": "API intake"}),
    row("GET", f"{V1}/scenarios/{{id}}/", DRAFT_READERS, "scenario:draft"),
    row("PUT", f"{V1}/scenarios/{{id}}/", {"team_po"} | PLATFORM, "scenario:draft",
        lambda w: {"team": "support-ai", "name": "Renamed"}),
    row("PATCH", f"{V1}/scenarios/{{id}}/", {"team_po"} | PLATFORM, "scenario:draft",
        lambda w: {"name": "Renamed"}),
    row("POST", f"{V1}/scenarios/{{id}}/submit/", {"team_po"}, "scenario:draft"),
    row("POST", f"{V1}/scenarios/{{id}}/start-review/", {"reviewer"}, "scenario:submitted"),
    row("POST", f"{V1}/scenarios/{{id}}/approve/", {"reviewer"}, "scenario:in_review",
        lambda w: DECISION),
    row("POST", f"{V1}/scenarios/{{id}}/request-changes/", {"reviewer"}, "scenario:in_review",
        lambda w: DECISION),
    row("POST", f"{V1}/scenarios/{{id}}/reject/", {"reviewer"}, "scenario:in_review",
        lambda w: DECISION),
    row("POST", f"{V1}/scenarios/{{id}}/onboard/", PLATFORM, "scenario:approved"),
    row("POST", f"{V1}/scenarios/{{id}}/retire/", PLATFORM | {"team_po"}, "scenario:onboarded",
        lambda w: {"comment": "Replaced."}),
    row("GET", f"{V1}/scenarios/{{id}}/decision-record/", DRAFT_READERS, "scenario:draft"),
    row("GET", f"{V1}/scenarios/{{id}}/decision-record/markdown/", DRAFT_READERS,
        "scenario:draft"),
    row("PATCH", f"{V1}/scenarios/{{id}}/minor/", {"team_po"} | PLATFORM, "scenario:onboarded",
        lambda w: {"description": "Also in French."}),
    row("GET", f"{V1}/amendments/", SIGNED_IN),
    row("POST", f"{V1}/amendments/", {"team_po"} | PLATFORM,
        data=lambda w: {"scenario": w.scenario["onboarded"].pk, "summary": "Another"}),
    row("GET", f"{V1}/amendments/{{id}}/", SIGNED_IN, "amendment:draft"),
    row("PATCH", f"{V1}/amendments/{{id}}/", {"team_po"} | PLATFORM, "amendment:draft",
        lambda w: {"summary": "Edited"}),
    row("GET", f"{V1}/amendments/{{id}}/diff/", SIGNED_IN, "amendment:draft"),
    row("GET", f"{V1}/amendments/{{id}}/history/", SIGNED_IN, "amendment:draft"),
    row("POST", f"{V1}/amendments/{{id}}/submit/", {"team_po"} | PLATFORM, "amendment:draft"),
    row("POST", f"{V1}/amendments/{{id}}/withdraw/", {"team_po"} | PLATFORM, "amendment:draft"),
    row("POST", f"{V1}/amendments/{{id}}/approve/", {"reviewer"}, "amendment:submitted"),
    row("POST", f"{V1}/amendments/{{id}}/request-changes/", {"reviewer"}, "amendment:submitted",
        lambda w: {"comment": "More."}),
    row("POST", f"{V1}/amendments/{{id}}/reject/", {"reviewer"}, "amendment:submitted",
        lambda w: {"comment": "No."}),
    row("GET", f"{V1}/tools/", SIGNED_IN),
    row("POST", f"{V1}/tools/", PLATFORM | {"admin"},
        data=lambda w: {"name": "api-tool", "stability": "stable"}),
    row("GET", f"{V1}/tools/{{id}}/", SIGNED_IN, "tool:"),
    row("PUT", f"{V1}/tools/{{id}}/", PLATFORM | {"admin"}, "tool:",
        lambda w: {"name": "matrix-search", "stability": "stable"}),
    row("PATCH", f"{V1}/tools/{{id}}/", PLATFORM | {"admin"}, "tool:",
        lambda w: {"description": "Better search."}),
    # Exceptions
    row("GET", f"{V1}/exceptions/", SIGNED_IN),
    row("GET", f"{V1}/exceptions/export/", SIGNED_IN),
    row("POST", f"{V1}/exceptions/", {"team_po"},
        data=lambda w: {"kind": "eval_gate_bypass", "scenario": w.scenario["onboarded"].pk,
                        **API_CASE}),
    row("POST", f"{V1}/exceptions/detect/", PLATFORM,
        data=lambda w: {"kind": "provider_keys", "scenario": w.scenario["onboarded"].pk,
                        "detection_note": "Keys found."}),
    row("GET", f"{V1}/exceptions/{{id}}/", SIGNED_IN, "exception:requested"),
    row("POST", f"{V1}/exceptions/{{id}}/justify/", {"team_po"}, "exception:detected",
        lambda w: API_CASE),
    row("POST", f"{V1}/exceptions/{{id}}/approve/", PLATFORM, "exception:requested",
        lambda w: {"expires_on": _later()}),
    row("POST", f"{V1}/exceptions/{{id}}/reject/", PLATFORM, "exception:requested",
        lambda w: {"comment": "No."}),
    row("POST", f"{V1}/exceptions/{{id}}/revoke/", PLATFORM, "exception:approved",
        lambda w: {"reason": "Abused."}),
    row("POST", f"{V1}/exceptions/{{id}}/close/", PLATFORM | {"team_po"}, "exception:approved",
        lambda w: {"comment": "Done."}),
    # Releases and aliases
    row("GET", f"{V1}/releases/", SIGNED_IN),
    row("POST", f"{V1}/releases/", TEAM, data=_api_release),
    row("GET", f"{V1}/releases/{{id}}/", DRAFT_READERS, "release:draft"),
    row("GET", f"{V1}/releases/{{id}}/history/", DRAFT_READERS, "release:draft"),
    row("PUT", f"{V1}/releases/{{id}}/", TEAM, "release:draft", _api_release_edit),
    row("PATCH", f"{V1}/releases/{{id}}/", TEAM, "release:draft",
        lambda w: {"changelog": "Edited."}),
    row("DELETE", f"{V1}/releases/{{id}}/", TEAM, "release:draft"),
    row("POST", f"{V1}/releases/{{id}}/submit/", TEAM, "release:draft"),
    row("POST", f"{V1}/releases/{{id}}/revise/", TEAM, "release:rejected",
        lambda w: {"comment": "Again."}),
    row("POST", f"{V1}/releases/{{id}}/sign-off/", {"quality"}, "release:submitted",
        lambda w: {"kind": "quality", "decision": "approve"}),
    row("POST", f"{V1}/releases/{{id}}/sign-off/", {"cost"}, "release:submitted",
        lambda w: {"kind": "cost", "decision": "approve", "comment": "Fine."}),
    row("POST", f"{V1}/releases/{{id}}/sign-off/", {"team_po"}, "release:approved",
        lambda w: {"kind": "product_rollout", "decision": "approve"}),
    row("POST", f"{V1}/releases/{{id}}/sign-off/", {"platform_owner"}, "release:approved",
        lambda w: {"kind": "platform_rollout", "decision": "approve"}),
    row("POST", f"{V1}/releases/{{id}}/start-rollout/", PLATFORM | {"team_po"},
        "release:approved"),
    row("POST", f"{V1}/releases/{{id}}/release/", PLATFORM, "release:rolling_out"),
    row("POST", f"{V1}/releases/{{id}}/rollback/", PLATFORM | {"incident"}, "release:released",
        lambda w: {"reason": "Regression."}),
    row("GET", f"{V1}/model-aliases/", SIGNED_IN),
    row("GET", f"{V1}/model-aliases/{{id}}/", SIGNED_IN, "alias:"),
    # Incidents
    row("GET", f"{V1}/incidents/", SIGNED_IN),
    row("POST", f"{V1}/incidents/", SIGNED_IN,
        data=lambda w: {"scenario": w.scenario["onboarded"].pk, "title": "Down",
                        "severity": "SEV4", "description": "Errors."}),
    row("GET", f"{V1}/incidents/{{id}}/", SIGNED_IN, "incident:open"),
    row("GET", f"{V1}/incidents/{{id}}/history/", SIGNED_IN, "incident:open"),
    row("POST", f"{V1}/incidents/{{id}}/acknowledge/", {"incident"}, "incident:open"),
    row("POST", f"{V1}/incidents/{{id}}/hand-over/", {"incident"}, "incident:open",
        lambda w: {"to": w.people["platform_owner"].pk}),
    row("POST", f"{V1}/incidents/{{id}}/mitigate/", INCIDENT_OWNERS | PLATFORM,
        "incident:acknowledged"),
    row("POST", f"{V1}/incidents/{{id}}/resolve/", INCIDENT_OWNERS | PLATFORM,
        "incident:mitigated"),
    row("POST", f"{V1}/incidents/{{id}}/close/", {"incident"} | PLATFORM, "incident:resolved"),
    row("POST", f"{V1}/incidents/{{id}}/rollback/", MODEL_ROLLBACK, "incident:acknowledged",
        lambda w: {"kind": "model", "release": w.release["released"].pk, "reason": "Bad."}),
    row("POST", f"{V1}/incidents/{{id}}/rollback/", INCIDENT_OWNERS | PLATFORM,
        "incident:acknowledged",
        lambda w: {"kind": "tool", "release": w.release["released"].pk, "tool": w.tool.pk,
                   "reason": "Tool misbehaves."}),
    row("GET", f"{V1}/incidents/{{id}}/updates/", SIGNED_IN, "incident:open"),
    row("POST", f"{V1}/incidents/{{id}}/updates/", SIGNED_IN, "incident:open",
        lambda w: {"text": "Looking."}),
    row("GET", f"{V1}/incidents/{{id}}/postmortem/", SIGNED_IN, "incident:resolved"),
    row("PUT", f"{V1}/incidents/{{id}}/postmortem/", {"incident"} | PLATFORM,
        "incident:resolved", _api_postmortem),
    # Dashboard
    row("GET", f"{V1}/metrics/", SIGNED_IN),
    row("GET", f"{V1}/scorecard/", SIGNED_IN),
    row("GET", f"{V1}/scorecard/{{id}}/", DRAFT_READERS, "scenario:draft"),
    # People and teams directory
    row("GET", f"{V1}/users/", SIGNED_IN),
    row("GET", f"{V1}/teams/", SIGNED_IN),
    row("GET", f"{V1}/teams/{{slug}}/", SIGNED_IN, slug="support-ai"),
    # Gateway: the desired state, a gateway's report, moves; playground runs (read own)
    row("GET", f"{V1}/gateway/aliases", SIGNED_IN),
    row("POST", f"{V1}/gateway/connectors/{{id}}/report/", PLATFORM, "extra:connector",
        lambda w: {"aliases": {}}),
    row("GET", f"{V1}/gateway/moves/", SIGNED_IN),
    row("GET", f"{V1}/gateway/moves/{{id}}/", SIGNED_IN, "extra:move"),
    row("POST", f"{V1}/gateway/moves/{{id}}/retry/", PLATFORM, "extra:move"),
    row("GET", f"{V1}/playground/runs/", SIGNED_IN),
    row("POST", f"{V1}/playground/runs/", TEAM | PLATFORM,
        data=lambda w: {"scenario": w.scenario["onboarded"].pk, "prompt": "Hello?"}),
    row("GET", f"{V1}/playground/runs/{{id}}/", {"team_po"}, "extra:run"),
    # Support requests (opened by the team's product owner)
    row("GET", f"{V1}/support-requests/", SIGNED_IN),
    row("POST", f"{V1}/support-requests/", SIGNED_IN,
        data=lambda w: {"title": "Help", "description": "Please.", "category": "other"}),
    row("GET", f"{V1}/support-requests/{{id}}/", SIGNED_IN, "support:open"),
    row("PATCH", f"{V1}/support-requests/{{id}}/", {"team_po"}, "support:open",
        lambda w: {"title": "Better title"}),
    row("DELETE", f"{V1}/support-requests/{{id}}/", {"team_po", "admin"}, "support:open"),
    row("POST", f"{V1}/support-requests/{{id}}/comments/", SIGNED_IN, "support:open",
        lambda w: {"body": "Same here."}),
    row("POST", f"{V1}/support-requests/{{id}}/answer/", PLATFORM, "support:open",
        lambda w: {"body": "Like this."}),
    row("POST", f"{V1}/support-requests/{{id}}/close/", PLATFORM, "support:open"),
    row("POST", f"{V1}/support-requests/{{id}}/reopen/", {"team_po"} | PLATFORM,
        "support:answered", lambda w: {"comment": "Still broken."}),
]
# fmt: on

# Routes that exist only in some configurations and are no page of the product.
NOT_PRODUCT_ROUTES = {"bench-bare"}


# Enumeration ---------------------------------------------------------------------------------


def resolver_routes() -> dict[str, str]:
    """Every named HTML route (namespaced name -> pattern), outside the admin site and /api/v1/."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("admin/", "api/v1/")):
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                if entry.name is None:
                    # Unnamed routes (the DEBUG-only error trigger) must not be product pages.
                    assert route.startswith("__"), f"unnamed route {route}"
                    continue
                found[f"{namespace}{entry.name}"] = route

    walk(get_resolver().url_patterns, "", "")
    return {name: route for name, route in found.items() if name not in NOT_PRODUCT_ROUTES}


def api_resolver_paths() -> list[str]:
    """Every /api/v1/ route in the resolver, as a sample path with 1 for each argument."""
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif route.startswith("api/v1/") and "bench" not in route and "\\.(?P" not in route:
                sample = re.sub(r"\(\?P<\w+>[^)]*\)|<(?:\w+:)?\w+>", "1", route)
                paths.append("/" + sample)

    walk(get_resolver().url_patterns, "")
    return paths


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


# Running requests ---------------------------------------------------------------------------


def _pk(world: World, target: str) -> int | None:
    if not target:
        return None
    kind, _, state = target.partition(":")
    objects = getattr(world, kind)
    return (objects[state] if state else objects).pk


def html_url(world: World, entry: Row) -> str:
    kwargs: dict[str, Any] = dict(entry.kwargs)
    pk = _pk(world, entry.target)
    if pk is not None:
        kwargs["pk"] = pk
    url = reverse(entry.route, kwargs=kwargs or None)
    if entry.query:
        url += "?" + entry.query.format(onboarded=world.scenario["onboarded"].pk)
    return url


def api_url(world: World, entry: Row) -> str:
    pk = _pk(world, entry.target)
    url = entry.route.replace("{id}", str(pk)) if pk is not None else entry.route
    for name, value in entry.kwargs.items():  # other path arguments, e.g. a team's {slug}
        url = url.replace(f"{{{name}}}", value)
    return url


def is_denied(response: Any) -> bool:
    """401/403/404, or the bounce to a login page that comes back here (signing out also ends
    on the login page, but without a way back)."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return location.startswith(("/login/?next=", "/admin/login/?next="))


def in_rollback(send: Callable[[], Any]) -> Any:
    """One request whose writes are undone, so the next role finds the same world."""
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response


def outcome(send: Callable[[], Any]) -> tuple[str, str]:
    """("allow" | "deny" | "error", detail)."""
    try:
        response = in_rollback(send)
    except Exception as exc:  # noqa: BLE001 - every crash is a finding, reported together
        return "error", f"raised {type(exc).__name__}: {exc}"
    if response.status_code >= 500 or response.status_code == 405:
        return "error", f"status {response.status_code}"
    return ("deny" if is_denied(response) else "allow"), str(response.status_code)


def check(entries: list[tuple[Row, str, Callable[[str], Any]]]) -> list[str]:
    """Run each (row, url, send-as-role) for every role; returns the mismatches."""
    mismatches = []
    for entry, url, send in entries:
        for role in ROLES:
            result, detail = outcome(lambda send=send, role=role: send(role))
            expected = "allow" if role in entry.allow else "deny"
            if result != expected:
                mismatches.append(
                    f"{entry.method} {url} as {role}: expected {expected}, got {result} ({detail})"
                )
    return mismatches


# Clients ------------------------------------------------------------------------------------


def session_clients(world: World) -> dict[str, tuple[Client, str]]:
    """A client and its session key per role; the key is restored before each request, since
    signing out (or a flushed inactive session) would otherwise change it."""
    clients = {}
    for role in ROLES:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        clients[role] = (client, client.cookies.get(settings.SESSION_COOKIE_NAME, None))
    return clients


def _send_html(clients: dict[str, Any], method: str, url: str, data: dict[str, Any]) -> Any:
    def send(role: str) -> Any:
        client, cookie = clients[role]
        if cookie is None:
            client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
        return getattr(client, method.lower())(url, data)

    return send


def api_tokens(world: World) -> dict[str, str]:
    """A personal token per role (the inactive user's was made before the account was closed)."""
    tokens = {}
    for role in ROLES:
        user = world.user(role)
        if user is not None:
            _token, text = ApiToken.objects.create(
                user=user, expiry=dt.timedelta(days=1), name="matrix"
            )
            tokens[role] = text
    return tokens


def _send_api(tokens: dict[str, str], method: str, url: str, data: dict[str, Any] | None) -> Any:
    client = APIClient()

    def send(role: str) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if role in tokens else {}
        return getattr(client, method.lower())(url, data, format="json", **headers)

    return send


@pytest.fixture
def world() -> World:
    return build()


@pytest.fixture
def no_throttling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of requests a minute are the point here, not something to slow down."""
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


# Tests --------------------------------------------------------------------------------------


def test_every_html_route_has_a_row() -> None:
    routes = resolver_routes()
    covered = {entry.route for entry in HTML_TABLE}
    assert sorted(set(routes) - covered) == [], "HTML routes missing from the table"
    assert sorted(covered - set(routes)) == [], "rows for routes that no longer exist"


def test_every_api_operation_has_a_row() -> None:
    operations = schema_operations()
    covered = {(entry.method, entry.route) for entry in API_TABLE}
    assert sorted(operations - covered) == [], "API operations missing from the table"
    assert sorted(covered - operations) == [], "rows for operations not in the schema"
    # And no API route hides from the schema (and so from the table).
    patterns = [
        re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$") for _method, path in operations
    ]
    paths = api_resolver_paths()
    assert len(paths) >= len({path for _method, path in operations})
    hidden = [p for p in paths if not any(rx.match(p) for rx in patterns)]
    assert hidden == [], "API routes missing from the schema"


def test_api_routes_accept_only_the_methods_in_the_schema(world: World) -> None:
    """An API view answering a method the schema does not list would escape the table."""
    documented: dict[str, set[str]] = {}
    for method, path in schema_operations():
        documented.setdefault(path, set()).add(method)
    client = APIClient()
    client.force_authenticate(world.people["admin"])
    wrong = []
    for entry in {e.route: e for e in API_TABLE}.values():
        response = client.options(api_url(world, entry))
        allowed = {m.strip() for m in response.get("Allow", "").split(",")} - {"OPTIONS", "HEAD"}
        if allowed != documented[entry.route]:
            wrong.append(
                f"{entry.route}: answers {sorted(allowed)}, schema lists "
                f"{sorted(documented[entry.route])}"
            )
    assert wrong == [], "\n".join(wrong)


def test_html_routes_allow_exactly_the_table(world: World) -> None:
    clients = session_clients(world)
    entries = []
    for entry in HTML_TABLE:
        url = html_url(world, entry)
        data = entry.data(world) if entry.data else {}
        entries.append((entry, url, _send_html(clients, entry.method, url, data)))
    mismatches = check(entries)
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)


def test_html_routes_refuse_methods_not_in_the_table(world: World) -> None:
    """A page answers only the methods its row names; others get 405, never the page."""
    declared: dict[str, set[str]] = {}
    for entry in HTML_TABLE:
        declared.setdefault(entry.route, set()).add(entry.method)
    clients = session_clients(world)
    wrong = []
    for entry in {e.route: e for e in HTML_TABLE}.values():
        url = html_url(world, entry)
        for method in {"GET", "POST"} - declared[entry.route]:
            send = _send_html(clients, method, url, {})
            response = in_rollback(lambda send=send: send("admin"))
            if response.status_code != 405:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_api_operations_allow_exactly_the_table(world: World, no_throttling: None) -> None:
    tokens = api_tokens(world)
    entries = []
    for entry in API_TABLE:
        url = api_url(world, entry)
        data = entry.data(world) if entry.data else None
        entries.append((entry, url, _send_api(tokens, entry.method, url, data)))
    mismatches = check(entries)
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)


def test_only_staff_get_into_the_admin_site(world: World) -> None:
    """The admin site as one row: Django's own staff check guards every page under it."""
    clients = session_clients(world)
    entry = row("GET", "admin:index", {"admin"})
    mismatches = check([(entry, "/admin/", _send_html(clients, "GET", "/admin/", {}))])
    assert not mismatches, "\n".join(mismatches)
