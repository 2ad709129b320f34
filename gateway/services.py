"""Every write of the gateway app: connectors, moves (pending -> applied | failed), drift
findings and playground runs. Views, API, admin and tasks call these.

A move is created for every active connector once an alias move has committed (the
`alias.moved` event wakes `moves_sync`; the beat's sync catches a lost wake-up), so a rolled-back
release creates none. A LiteLLM move is applied by a task and confirmed by reading the gateway
back; a generic one waits for the gateway's report.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from exceptions import services as exception_services
from exceptions.models import PlatformException
from gateway import connectors, playground, policies, selectors
from gateway.models import DriftFinding, GatewayConnector, GatewayMove, PlaygroundRun
from portal.core import queue
from portal.core.errors import TransitionConflict
from portal.core.models import Event, User
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import lock, perform, record_change, record_creation
from releases.models import ModelAlias
from scenarios.selectors import get_scenario_for

logger = logging.getLogger(__name__)
Status = GatewayMove.Status
CONNECTOR_FIELDS = ("name", "kind", "base_url", "secret_env", "is_active")


# Connectors (admins)
def connector_save(
    connector: GatewayConnector, *, actor: User, changed: list[str] | None = None
) -> GatewayConnector:
    """Create or edit a connector (admins); the audit row names what changed."""
    if not policies.can_manage_connectors(actor):
        raise PermissionDenied(_("Only admins manage gateway connectors."))
    if connector.secret_env and not connector.secret_env.replace("_", "").isalnum():
        raise ValidationError({"secret_env": _("Name an environment variable, not a secret.")})
    connector.full_clean()
    state = "active" if connector.is_active else "disabled"
    with transaction.atomic():
        creating = connector.pk is None
        if not creating:
            lock(GatewayConnector, connector.pk)
        connector.save()
        if creating:
            record_creation(connector, actor=actor, target=state, comment=connector.name)
            transaction.on_commit(enqueue_sync, robust=True)
        else:
            record_change(connector, action="edit", source=state, actor=actor,
                          comment=f"Changed: {', '.join(changed or []) or 'nothing'}.",
                          on_commit=enqueue_sync if "is_active" in (changed or []) else None,
                          robust=True)  # fmt: skip
    return connector


# Moves
def enqueue_moves_for_event(event_id: int) -> None:
    """After an event's commit: an alias move makes its gateway moves (in a task)."""
    if Event.objects.filter(pk=event_id, type="alias.moved").exists():
        enqueue_sync()


def enqueue_sync() -> None:
    try:
        queue.task("gateway.tasks.sync_moves_task").delay()
    except OperationalError as exc:
        logger.warning("Gateway moves wait for the beat's sync, broker unreachable (%s).", exc)


def enqueue_apply(move_id: int) -> None:
    try:
        queue.task("gateway.tasks.apply_move_task").delay(move_id)
    except OperationalError as exc:
        logger.warning("Gateway move %s waits for the beat's sync (%s).", move_id, exc)


def moves_sync() -> list[int]:
    """Create the missing move of every alias's current position on every active connector;
    returns the moves that a connector applies itself and that now wait for it."""
    to_apply = []
    for connector in GatewayConnector.objects.filter(is_active=True):
        for alias_move in selectors.moves_missing(connector):
            try:
                move = _move_create(connector, alias_move)
            except IntegrityError:
                continue  # a concurrent sync created it
            if connectors.connector_for(connector).confirms_itself:
                to_apply.append(move.pk)
        if connectors.connector_for(connector).confirms_itself:
            to_apply += list(selectors.pending_moves(connector).values_list("pk", flat=True))
    return sorted(set(to_apply))


def _move_create(connector: GatewayConnector, alias_move: Any) -> GatewayMove:
    with transaction.atomic():
        alias = ModelAlias.objects.select_for_update().get(pk=alias_move.alias_id)
        move = GatewayMove.objects.create(
            connector=connector, alias=alias, alias_move=alias_move,
            release=alias_move.release, model=alias_move.release.model_name,
        )  # fmt: skip
        record_creation(move, actor=None, target=move.status,
                        comment=f"{alias.name} to {move.model} on {connector.name}.")  # fmt: skip
        for older in selectors.pending_moves(connector).filter(alias=alias).exclude(pk=move.pk):
            perform(GatewayMove, older.pk, "fail", actor=None, system=True,
                    comment=f"Replaced by the move to {move.model}.",
                    kwargs={"error": "Replaced by a newer move of the alias."})  # fmt: skip
    return move


def move_apply(move_id: int) -> GatewayMove | None:
    """Apply a pending move through a connector that confirms itself, then confirm or fail it."""
    move = GatewayMove.objects.select_related("connector", "alias").filter(pk=move_id).first()
    if move is None or move.status != Status.PENDING:
        return move
    connector = connectors.connector_for(move.connector)
    if not connector.confirms_itself:
        return move
    GatewayMove.objects.filter(pk=move.pk).update(attempts=move.attempts + 1)
    try:
        connector.apply(move.alias.name, move.model)
    except connectors.GatewayError as exc:
        return _decide(move.pk, "fail", f"Failed: {exc}", error=str(exc))
    return _decide(move.pk, "confirm", f"{move.connector.name} confirmed {move.model}.")


def _decide(move_id: int, name: str, comment: str, actor: User | None = None,
            error: str = "") -> GatewayMove | None:  # fmt: skip
    try:
        return perform(
            GatewayMove, move_id, name, actor=actor, system=actor is None, comment=comment,
            kwargs={"error": error} if name == "fail" else None,
            after=_notify_failed if name == "fail" else None,
        )  # fmt: skip
    except TransitionConflict:
        return None  # decided meanwhile (a report, a replacement): nothing left to do


def moves_report(
    connector_id: Any, *, actor: User, aliases: dict[str, str], errors: dict[str, str]
) -> dict[str, list[int]]:
    """A gateway reports the routing it serves now (alias -> model) and the aliases it failed
    to apply; pending moves it matches are confirmed or failed."""
    if not policies.can_report(actor):
        raise PermissionDenied(_("Only the platform reports what the gateway applied."))
    with transaction.atomic():
        connector = lock(GatewayConnector, connector_id)
        if not connector.is_active:
            raise TransitionConflict(
                _("The connector %(name)s is disabled.") % {"name": connector}, code="disabled"
            )
        connector.reported_state = aliases
        connector.reported_at = timezone.now()
        connector.save(update_fields=["reported_state", "reported_at"])
        record_change(connector, action="report", source="active",
                      actor=actor, comment=f"{len(aliases)} aliases, {len(errors)} errors.")  # fmt: skip
        done: dict[str, list[int]] = {"applied": [], "failed": []}
        for move in selectors.pending_moves(connector).select_related("alias"):
            if move.alias.name in errors:
                error = errors[move.alias.name]
                if _decide(move.pk, "fail", f"Reported: {error}", actor, error=error):
                    done["failed"].append(move.pk)
            elif aliases.get(move.alias.name) == move.model and _decide(
                move.pk, "confirm", "Reported applied.", actor
            ):
                done["applied"].append(move.pk)
    return done


def move_retry(move_id: Any, *, actor: User) -> GatewayMove:
    """Apply a failed move again (platform)."""
    move = perform(GatewayMove, move_id, "retry", actor=actor, comment="Applied again.")
    transaction.on_commit(lambda: enqueue_apply(move.pk), robust=True)
    return move


def _notify_failed(move: GatewayMove) -> None:
    scenario = move.alias.scenario
    to = [scenario.platform_owner] if scenario.platform_owner_id else selectors.platform_people()
    send_templated("gateway_move_failed", to, {
        "move": move, "scenario": scenario, "url": absolute_url(move.release.get_absolute_url()),
    }, about=move)  # fmt: skip


# Drift
def drift_check() -> int:
    """Compare each active connector's routing with the portal's aliases; record each new
    difference as a detected exception. Returns how many it recorded."""
    found = 0
    for config in GatewayConnector.objects.filter(is_active=True):
        if config.kind == GatewayConnector.Kind.GENERIC and config.reported_at is None:
            continue  # nothing reported yet: nothing to compare
        try:
            routing = connectors.connector_for(config).read()
        except connectors.GatewayError as exc:
            logger.warning("Drift check of %s skipped: %s", config, exc)
            continue
        for alias in selectors.settled_aliases(config):
            wanted = alias.current_release.model_name  # type: ignore[union-attr]
            actual = routing.get(alias.name, "")
            if actual != wanted and _record_drift(config, alias, wanted, actual):
                found += 1
    return found


def _record_drift(config: GatewayConnector, alias: ModelAlias, wanted: str, actual: str) -> bool:
    with transaction.atomic():
        lock(GatewayConnector, config.pk)  # one drift check records a difference at a time
        if selectors.open_drift(config, alias).exists():
            return False
        note = (
            f"Gateway {config.name} routes {alias.name} to {actual or 'nothing'}; the portal's "
            f"alias serves {alias.current_release} with model {wanted}. Found by the drift "
            f"check at {timezone.now():%Y-%m-%d %H:%M} UTC."
        )
        exception = exception_services.exception_detect(
            actor=None, system=True, kind=PlatformException.Kind.OUTSIDE_GATEWAY,
            scenario=alias.scenario, title=f"Alias {alias.name} changed outside the portal",
            detection_note=note, risk=PlatformException.Risk.HIGH,
        )  # fmt: skip
        finding = DriftFinding.objects.create(connector=config, alias=alias, portal_model=wanted,
                                              gateway_model=actual, exception=exception)  # fmt: skip
        record_creation(finding, actor=None, target="found", comment=note)
        scenario = alias.scenario
        to = (
            [scenario.platform_owner] if scenario.platform_owner_id else selectors.platform_people()
        )
        send_templated("gateway_drift", to, {
            "finding": finding, "exception": exception, "scenario": scenario,
            "url": absolute_url(exception.get_absolute_url()),
        }, about=exception)  # fmt: skip
    return True


# Playground
def playground_run(
    scenario_id: Any, *, actor: User, prompt: str, alias_name: str = ""
) -> PlaygroundRun:
    """Try a prompt on the scenario's model alias through the platform's gateway; the run is
    recorded whatever the gateway answers."""
    scenario = get_scenario_for(actor, scenario_id)
    if not policies.can_use_playground(actor, scenario):
        raise PermissionDenied(_("Only the scenario's team and the platform use its playground."))
    if not prompt.strip():
        raise ValidationError({"prompt": _("Type a prompt to try.")})
    alias = selectors.playground_alias(scenario, alias_name)
    if alias is None:
        raise ValidationError({"alias": _("The scenario has no released model alias to try.")})
    model = alias.current_release.model_name if alias.current_release else ""
    started = time.monotonic()
    result = playground.complete(alias.name, prompt)
    latency = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        run = PlaygroundRun.objects.create(
            scenario=scenario, alias_name=alias.name, model=result.model or model, user=actor,
            prompt=prompt, answer=result.answer, error=result.error, latency_ms=latency,
            prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens,
            cost=_cost(result.cost, alias),
        )  # fmt: skip
        record_creation(run, actor=actor, target="recorded", comment=f"{alias.name}, {latency} ms")
    return run


def _cost(reported: str, alias: ModelAlias) -> Decimal | None:
    """The gateway's own cost figure; else the release's estimate per request."""
    try:
        if reported:
            return Decimal(reported).quantize(Decimal("0.000001"))
    except InvalidOperation:
        pass
    release = alias.current_release
    return release.cost_per_request if release is not None else None
