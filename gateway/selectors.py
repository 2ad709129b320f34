"""Reads of the gateway app: moves, the desired state, drift findings and playground runs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from exceptions.models import PlatformException
from gateway import policies
from gateway.models import DriftFinding, GatewayConnector, GatewayMove, PlaygroundRun
from portal.core import roles
from portal.core.models import User
from portal.core.selectors import people_with_role
from portal.core.transitions import available_actions, catalogue
from releases.models import AliasMove, ModelAlias, Release
from scenarios.models import Scenario

Status = GatewayMove.Status
# What the release page offers on a move, as its transitions name it.
MOVE_ACTIONS = catalogue(GatewayMove, "retry")


def platform_people() -> QuerySet[User]:
    return people_with_role(roles.PLATFORM_REVIEWER)


def active_connectors() -> QuerySet[GatewayConnector]:
    return GatewayConnector.objects.filter(is_active=True)


def get_connector(pk: Any) -> GatewayConnector:
    try:
        return GatewayConnector.objects.get(pk=pk)
    except (GatewayConnector.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such gateway connector.")) from exc


def moves_missing(connector: GatewayConnector) -> QuerySet[AliasMove]:
    """Each alias's current position that has no move on this connector yet."""
    made = GatewayMove.objects.filter(connector=connector).values("alias_move_id")
    return (
        AliasMove.objects.filter(ended_at__isnull=True)
        .exclude(pk__in=made)
        .select_related("release")
        .order_by("started_at", "id")
    )


def pending_moves(connector: GatewayConnector) -> QuerySet[GatewayMove]:
    return GatewayMove.objects.filter(connector=connector, status=Status.PENDING)


def settled_aliases(connector: GatewayConnector) -> QuerySet[ModelAlias]:
    """Aliases serving a release with no move in flight on this connector: what the gateway
    must route as the portal says (a pending move is not drift)."""
    moving = pending_moves(connector).values("alias_id")
    return (
        ModelAlias.objects.filter(current_release__isnull=False)
        .exclude(pk__in=moving)
        .select_related("current_release", "scenario", "scenario__team")
    )


def open_drift(connector: GatewayConnector, alias: ModelAlias) -> QuerySet[DriftFinding]:
    """The drift of this alias on this connector whose exception is still open."""
    return DriftFinding.objects.filter(
        connector=connector, alias=alias, exception__in=PlatformException.objects.open()
    )


# The desired state a GitOps job or sidecar pulls
def desired_state() -> dict[str, Any]:
    """Every alias serving a release: as a list, and as LiteLLM's `model_group_alias`."""
    rows = (
        ModelAlias.objects.filter(current_release__isnull=False)
        .select_related("current_release")
        .order_by("name")
    )
    aliases = [
        {
            "alias": alias.name,
            "model": alias.current_release.model_name,  # type: ignore[union-attr]
            "release_id": alias.current_release_id,
            "scenario_id": alias.scenario_id,
        }
        for alias in rows
    ]
    return {
        "aliases": aliases,
        "router_settings": {"model_group_alias": {row["alias"]: row["model"] for row in aliases}},
    }


def etag_of(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def moves_list(connector: Any = None, status: str = "") -> QuerySet[GatewayMove]:
    moves = GatewayMove.objects.select_related("connector", "alias", "release")
    if connector is not None:
        moves = moves.filter(connector=connector)
    return moves.filter(status=status) if status else moves


def get_move(pk: Any) -> GatewayMove:
    try:
        return moves_list().get(pk=pk)
    except (GatewayMove.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such gateway move.")) from exc


def gateway_state(release: Release) -> dict[str, Any]:
    """How far the gateways are with this release's alias move: one row per active connector
    (its latest move of this release), and the label the release's state shows."""
    moves = list(
        GatewayMove.objects.filter(release=release, connector__is_active=True)
        .select_related("connector")
        .order_by("connector_id", "-created_at", "-id")
    )
    latest: dict[int, GatewayMove] = {}
    for move in moves:
        latest.setdefault(move.connector_id, move)
    rows = list(latest.values())
    label = ""
    if release.status == Release.Status.RELEASED and rows:
        if any(move.status == Status.FAILED for move in rows):
            label = _("Released, gateway failed to apply")
        elif any(move.status == Status.PENDING for move in rows):
            label = _("Released, waiting for gateway")
    return {"moves": rows, "status_label": label}


def release_panel(release: Release, user: User) -> dict[str, Any] | None:
    """The release page's gateway panel (found by releases.views through `app_selectors`);
    none, and no query, for a release that never moved an alias."""
    if release.released_at is None:
        return None
    state = gateway_state(release)
    if not state["moves"]:
        return None
    # Each row with the actions its move's transitions offer this user (the retry of a failed one).
    rows = [(move, available_actions(move, user, MOVE_ACTIONS)) for move in state["moves"]]
    return {"template": "gateway/_release_panel.html", "rows": rows, **state}


# Playground
def playground_aliases(scenario: Scenario) -> QuerySet[ModelAlias]:
    return (
        ModelAlias.objects.filter(scenario=scenario, current_release__isnull=False)
        .select_related("current_release")
        .order_by("name")
    )


def playground_alias(scenario: Scenario, name: str = "") -> ModelAlias | None:
    aliases = playground_aliases(scenario)
    return aliases.filter(name=name).first() if name else aliases.first()


def runs_of(user: User, scenario: Any = None) -> QuerySet[PlaygroundRun]:
    """The user's own runs, newest first."""
    runs = PlaygroundRun.objects.filter(user=user).select_related("scenario")
    return runs.filter(scenario=scenario) if scenario is not None else runs


def get_run(user: User, pk: Any) -> PlaygroundRun:
    run = PlaygroundRun.objects.select_related("scenario", "user").filter(pk=pk).first()
    if run is None or not policies.can_read_run(user, run):
        raise Http404(_("No such playground run."))
    return run


def run_count(scenario: Scenario) -> int:
    return PlaygroundRun.objects.filter(scenario=scenario).count()


def scenario_panel(scenario: Scenario, user: User) -> dict[str, Any] | None:
    """The scenario page's playground panel: how often its alias was tried."""
    return {"template": "gateway/_scenario_panel.html", "runs": run_count(scenario),
            "scenario": scenario, "anchor": "playground-heading",
            "title": _("Playground")}  # fmt: skip
