"""Demo exceptions in every state, one expiring within a week. Idempotent (keyed by title).

Everything goes through the services, so each demo exception has a real history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from exceptions import services
from exceptions.models import PlatformException
from scenarios.models import Scenario

Kind = PlatformException.Kind


def _scenario_of(people: dict[str, Any], slug: str) -> Scenario | None:
    """A scenario of the team an exception may be requested for: from the demo scenarios if
    loaded, else from the database."""
    team = people.get("teams", {}).get(slug)
    if team is None:
        return None
    named = [s for s in people.get("scenarios", {}).values() if s.team_id == team.pk]
    refused = PlatformException.UNREQUESTED_SCENARIO_STATES
    live = [s for s in named if s.status not in refused]
    if live:
        return live[0]
    return Scenario.objects.filter(team=team).exclude(status__in=refused).order_by("pk").first()


def _case(kind: str, scenario: Scenario | None, team: Any, text: dict[str, str]) -> dict[str, Any]:
    """Request fields. (The demo's eval gate bypass names a release: the releases demo makes it.)"""
    return {
        "kind": kind,
        "scenario": scenario,
        "team": team if scenario is None else None,
        "title": text["title"],
        "other_description": text.get("other_description", ""),
        "justification": text["justification"],
        "risk": text.get("risk", "medium"),
        "risk_reason": text["risk_reason"],
        "compensating_controls": text["controls"],
    }


def load(people: dict[str, Any]) -> None:
    """Called by scenarios.demo after the demo scenarios exist; works without any scenario."""
    teams = people.get("teams", {})
    support, back_office = teams.get("support-ai"), teams.get("back-office")
    product, product2 = people.get("product"), people.get("product2")
    reviewer, platform = people.get("reviewer"), people.get("platform")
    if not (support and back_office and product and product2 and reviewer and platform):
        return
    support_scenario = _scenario_of(people, "support-ai")
    office_scenario = _scenario_of(people, "back-office")
    today = timezone.localdate()
    existing = set(PlatformException.objects.values_list("title", flat=True))

    def request(person: Any, kind: str, scenario: Any, team: Any, **text: str) -> Any:
        return services.exception_request(actor=person, **_case(kind, scenario, team, text))

    title = "Translation tool used while its registry review runs"
    if title not in existing:
        bypass = request(
            product, Kind.UNREGISTERED_TOOL, support_scenario, support, title=title,
            justification="Customers write in six languages; the registry review takes a week.",
            risk_reason="An unreviewed tool sees ticket text for a few days.",
            controls="The tool runs in the support network and keeps no ticket text.",
        )  # fmt: skip
        bypass = services.exception_approve(
            bypass.pk, actor=reviewer, expires_on=today + dt.timedelta(days=5),
            comment="Until the registry review ends; no extension without a date for it.",
        )  # fmt: skip
        # An extension is a new request that points at the approval it extends.
        services.exception_request(
            actor=product,
            kind=bypass.kind,
            scenario=bypass.scenario,
            team=bypass.team,
            other_description=bypass.other_description,
            title="Extension: the registry review takes one more sprint",
            justification="The review found a logging question; the answer lands next sprint.",
            risk=bypass.risk,
            risk_reason=bypass.risk_reason,
            compensating_controls=bypass.compensating_controls,
            extends=bypass,
        )

    title = "Summaries served by a model outside the gateway"
    if title not in existing:
        request(
            product, Kind.OUTSIDE_GATEWAY, support_scenario, support, title=title,
            justification="The summarisation model is only available in the vendor's own region.",
            risk_reason="No gateway logging or rate limits for this route.",
            controls="Vendor-side logging exported daily; traffic capped by the vendor quota.",
        )  # fmt: skip

    title = "Finance team keeps its own provider key"
    if title not in existing:
        keys = request(
            product2, Kind.PROVIDER_KEYS, None, back_office, title=title, risk="high",
            justification="The invoice extractor runs in the finance network without gateway access.",
            risk_reason="A leaked key bypasses every platform control and budget.",
            controls="Key in the finance vault, rotated weekly, spend alert at 50% of budget.",
        )  # fmt: skip
        services.exception_approve(
            keys.pk, actor=platform, expires_on=today + dt.timedelta(days=60),
            comment="Until the gateway is reachable from the finance network.",
        )  # fmt: skip

    title = "Scraper tool outside the registry"
    if title not in existing:
        tool = request(
            product2, Kind.UNREGISTERED_TOOL, office_scenario, back_office, title=title,
            justification="The vendor portal has no API; the agent scrapes it.", risk="high",
            risk_reason="Unreviewed tool with write access to the vendor portal.",
            controls="Read-only account.",
        )  # fmt: skip
        services.exception_reject(
            tool.pk,
            actor=reviewer,
            comment="Register the tool first; the platform reviews it in a day.",
        )

    title = "Prompts edited directly in production"
    if title not in existing:
        services.exception_detect(
            actor=platform, kind=Kind.MANUAL_PROMPT, scenario=office_scenario, team=back_office,
            title=title, risk="medium",
            detection_note="Prompt hash in production differs from every released prompt version.",
        )  # fmt: skip

    title = "Nightly batch calls the provider from a cron host"
    if title not in existing:
        batch = request(
            product, Kind.OTHER, None, support, title=title, risk="low",
            other_description="Batch job outside the platform scheduler",
            justification="A one-off backfill of ticket tags.",
            risk_reason="Small volume, internal data only.",
            controls="Runs under a capped key; output checked by a sample review.",
        )  # fmt: skip
        services.exception_approve(
            batch.pk, actor=reviewer, expires_on=today + dt.timedelta(days=1)
        )
        # Backdate the expiry (demo only, outside any interface) so the sweep has one to expire.
        PlatformException.objects.filter(pk=batch.pk).update(
            expires_on=today - dt.timedelta(days=2)
        )
        services.exception_expire(batch.pk)

    title = "Experimental router served outside the gateway"
    if title not in existing:
        router = request(
            product2, Kind.OUTSIDE_GATEWAY, office_scenario, back_office, title=title,
            justification="Trying a routing model for two weeks.",
            risk_reason="No gateway budget enforcement.",
            controls="Traffic limited to 5% of requests.",
        )  # fmt: skip
        services.exception_approve(
            router.pk, actor=reviewer, expires_on=today + dt.timedelta(days=14)
        )
        services.exception_revoke(
            router.pk,
            actor=platform,
            reason="Traffic exceeded the agreed 5%; move it behind the gateway.",
        )

    title = "Missing cache owner during reorganisation"
    if title not in existing:
        owner = request(
            product, Kind.MISSING_OWNER, support_scenario, support, title=title, risk="low",
            justification="The cache owner left; the successor starts next month.",
            risk_reason="Cache hit rate drops go unnoticed.",
            controls="Weekly cache report to the product owner.",
        )  # fmt: skip
        services.exception_approve(
            owner.pk, actor=reviewer, expires_on=today + dt.timedelta(days=30)
        )
        services.exception_close(
            owner.pk, actor=product, comment="New cache owner named in the RACI."
        )
