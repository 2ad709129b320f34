"""Demo incidents in every state, one with a rollback and a postmortem. Idempotent.

Runs after the scenario and release demos and finds what it needs by query (onboarded
scenarios, live releases); with none it adds nothing. Incidents go through the services, as
real ones do; afterwards their times are moved into the past so MTTR and the timeline read
like real incidents (only timestamps, never a state, and never the append-only audit rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentUpdate, Postmortem, RollbackAction
from portal.core.errors import TransitionConflict
from releases.models import Release
from scenarios.models import Scenario

STATES = ("open", "acknowledged", "mitigated", "resolved", "closed")
STEPS = ("acknowledge", "mitigate", "resolve", "close")
STAMPS = ("acknowledged_at", "mitigated_at", "resolved_at", "closed_at")
# Minutes after opening at which each step happened in the demo story.
SCHEDULE = (12, 55, 190, 2 * 24 * 60)


@dataclass(frozen=True)
class Story:
    title: str
    severity: str
    state: str
    days_ago: int
    description: str
    scenario_index: int = 0


STORIES = [
    Story(
        "Refund answers cite last year's policy",
        "SEV1",
        "closed",
        12,
        "Since the morning release, answers about refunds quote the 2025 policy.",
    ),
    Story(
        "Agent retries invoice lookups in a loop",
        "SEV2",
        "resolved",
        5,
        "Some invoice questions trigger dozens of lookup calls and time out.",
        scenario_index=1,
    ),
    Story(
        "Answers slow at the Monday peak",
        "SEV3",
        "mitigated",
        2,
        "p95 latency above 9 s between 09:00 and 10:00.",
    ),
    Story(
        "Replies in English to French tickets",
        "SEV3",
        "acknowledged",
        1,
        "About one French ticket in twenty gets an English answer.",
        scenario_index=1,
    ),
    Story(
        "Greeting shows a template placeholder",
        "SEV4",
        "open",
        0,
        "The greeting reads 'Hello {name}' for customers without a first name.",
    ),
]


def load(people: dict[str, Any]) -> None:
    scenarios = list(Scenario.objects.filter(status=Scenario.Status.ONBOARDED).order_by("id"))
    if not scenarios:
        return
    opener = people.get("product") or scenarios[0].product_owner
    for story in STORIES:
        if Incident.objects.filter(title=story.title).exists():
            continue
        scenario = scenarios[story.scenario_index % len(scenarios)]
        _play(story, scenario, opener or scenario.platform_owner, people)


def _play(story: Story, scenario: Scenario, opener: Any, people: dict[str, Any]) -> None:
    now = timezone.now()
    opened = now - dt.timedelta(days=story.days_ago, hours=3)
    try:
        incident = services.incident_open(
            scenario=scenario,
            actor=opener,
            title=story.title,
            severity=story.severity,
            description=story.description,
            impact_started_at=opened - dt.timedelta(minutes=20),
            release=_live_release(scenario) if story.severity == "SEV1" else None,
            accept_interim_owner=True,
        )
    except (ValidationError, PermissionDenied):
        return
    owner = incident.incident_owner
    services.incident_add_update(incident.pk, actor=opener, text="Reported by three agents.")
    if story.state == "acknowledged" and people.get("reviewer"):
        services.incident_hand_over(
            incident.pk, actor=owner, to=people["reviewer"], comment="You know the language router."
        )
    for step in STEPS[: STATES.index(story.state)]:
        if step == "mitigate" and story.severity == "SEV1":
            _rollback(incident, people)
        if step == "close" and incident.needs_postmortem:
            _postmortem(incident, owner, people)
        holder = Incident.objects.get(pk=incident.pk).handed_to or owner
        services.TRANSITIONS[step](incident.pk, actor=holder, comment=_comment(step))
    _backdate(incident.pk, opened)


def _comment(step: str) -> str:
    return {
        "acknowledge": "Looking into it.",
        "mitigate": "Impact contained.",
        "resolve": "Root cause fixed and verified on the eval set.",
        "close": "Follow-ups tracked in the postmortem.",
    }[step]


def _live_release(scenario: Scenario) -> Release | None:
    """The release serving the scenario that has one before it to return to."""
    return (
        Release.objects.filter(scenario=scenario, status=Release.Status.RELEASED)
        .exclude(previous_release=None)
        .first()
    )


def _rollback(incident: Incident, people: dict[str, Any]) -> None:
    """Roll back the scenario's live release, or else disable one of its tools."""
    actor = people.get("platform") or incident.platform_owner or incident.incident_owner
    live = _live_release(incident.scenario)
    any_release = incident.scenario.releases.exclude(status=Release.Status.DRAFT).first()
    tool = incident.scenario.allowed_tools.first()
    try:
        if live is not None:
            services.incident_rollback(
                incident.pk,
                actor=actor,
                kind="prompt" if live.change_type == Release.ChangeType.PROMPT_ONLY else "model",
                release_id=live.pk,
                reason="Answers regressed right after this release; back to the previous one.",
            )
        elif any_release is not None and tool is not None:
            services.incident_rollback(
                incident.pk,
                actor=actor,
                kind="tool",
                release_id=any_release.pk,
                tool_id=tool.pk,
                reason="The tool returns stale data; disabled until fixed.",
            )
    except (TransitionConflict, PermissionDenied, ValidationError):
        return


def _postmortem(incident: Incident, owner: Any, people: dict[str, Any]) -> None:
    platform = people.get("platform") or incident.platform_owner or owner
    today = timezone.localdate()
    services.incident_postmortem_save(
        incident.pk,
        actor=owner,
        summary="A release changed the retrieval index without the eval set covering refunds.",
        timeline="Impact from 08:40; opened 09:00; rolled back 09:55; resolved 12:10.",
        contributing_factors="The eval set had no refund questions; no freshness alert on "
        "the index; the release went out on the fast path.",
        what_went_well="The rollback from the incident page took two minutes; owners were "
        "named and answered at once.",
        action_items=[
            {
                "description": "Add refund questions to the eval set",
                "owner": owner,
                "due_on": today + dt.timedelta(days=14),
            },
            {
                "description": "Alert on retrieval index freshness",
                "owner": platform,
                "due_on": today + dt.timedelta(days=30),
            },
        ],
    )


def _backdate(incident_id: int, opened: dt.datetime) -> None:
    impact = opened - dt.timedelta(minutes=20)
    stamps: dict[str, Any] = {"opened_at": opened, "impact_started_at": impact}
    incident = Incident.objects.get(pk=incident_id)
    reached = [
        opened + dt.timedelta(minutes=minutes)
        for name, minutes in zip(STAMPS, SCHEDULE, strict=False)
        if getattr(incident, name) is not None
    ]
    stamps.update(zip(STAMPS, reached, strict=False))
    Incident.objects.filter(pk=incident_id).update(**stamps)
    # State updates take their transition's time; the others follow what came before.
    cursor, pending = opened, iter(reached)
    updates = list(IncidentUpdate.objects.filter(incident_id=incident_id).order_by("id"))
    for update in updates:
        if update.kind == IncidentUpdate.Kind.STATE:
            cursor = next(pending, cursor)
        else:
            cursor += dt.timedelta(minutes=6)
        update.created_at = cursor
        if update.kind == IncidentUpdate.Kind.ROLLBACK:
            RollbackAction.objects.filter(incident_id=incident_id).update(created_at=cursor)
        if update.kind == IncidentUpdate.Kind.POSTMORTEM:
            Postmortem.objects.filter(incident_id=incident_id).update(
                created_at=cursor, updated_at=cursor
            )
    IncidentUpdate.objects.bulk_update(updates, ["created_at"])
