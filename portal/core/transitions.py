"""The one way to change an object's state.

Every service that performs a django-fsm transition calls `perform`: it locks the row, checks
the state and the permission, calls the transition, saves, writes the audit row in the same
transaction, and schedules notifications for after the commit. Nothing here knows an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from portal.core import events, roles
from portal.core.audit import record_transition
from portal.core.errors import TransitionConflict
from portal.core.models import state_label, transition_label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from portal.core.models import User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Action:
    """A transition offered to a user: what the button says and the URL slug it posts to."""

    name: str
    label: StrOrPromise
    slug: str
    style: str = ""
    needs_comment: bool = False
    confirm: StrOrPromise = ""


@dataclass(frozen=True)
class Guard:
    """A django-fsm condition that says why it blocks: `blocked(obj)` is the reason, or ""
    when the transition may happen. Put on a transition as `conditions=[Guard(...)]`, it decides
    both what `perform` refuses (409 with that reason and `code`) and which buttons a page
    offers, since django-fsm's available transitions check conditions too."""

    blocked: Callable[[Any], str]
    code: str

    def __call__(self, obj: Any) -> bool:
        return not self.blocked(obj)


def guard(module: str, name: str, code: str) -> Guard:
    """A Guard whose reason is `<module>.<name>(instance)`, imported on first use, as `policy`
    imports the policies: the rules a guard reads may import the models it guards."""

    def blocked(instance: Any) -> str:
        return str(getattr(import_module(module), name)(instance))

    blocked.__name__ = name
    return Guard(blocked, code)


def _unmet(meta: Any, source: str, obj: models.Model) -> tuple[str, str] | None:
    """(reason, code) of the first condition the object does not meet, if any."""
    found = meta.get_transition(source)
    for condition in getattr(found, "conditions", None) or []:
        if isinstance(condition, Guard):
            reason = condition.blocked(obj)
            if reason:
                return reason, condition.code
        elif not condition(obj):
            return "", "conditions_not_met"
    return None


def catalogue(model: type[models.Model], *names: str) -> dict[str, Action]:
    """An app's buttons for these transitions, in this order, as each transition describes
    itself in its `custom=`: `label`, and where it differs from the default, `slug` (else the
    name with dashes), `style` and `needs_comment`. The label is the one `perform` speaks of."""
    actions = {}
    for name in names:
        meta = _fsm_meta(model, name)  # type: ignore[arg-type]
        custom = next(iter(meta.transitions.values())).custom
        actions[name] = Action(
            name,
            _words(custom.get("label", name.replace("_", " "))),
            str(custom.get("slug", name.replace("_", "-"))),
            str(custom.get("style", "")),
            bool(custom.get("needs_comment", False)),
            _words(custom.get("confirm", "")),
        )
    return actions


def _words(value: Any) -> StrOrPromise:
    """A label or question as the transition gives it. A translatable one stays lazy: apps
    build their catalogues at import, and each page says it in its reader's language."""
    return cast("StrOrPromise", value) if isinstance(value, Promise) else str(value)


def policy(module: str, name: str) -> Callable[[Any, Any], bool]:
    """A django-fsm `permission=` hook that asks `<module>.<name>(user, instance)`.

    The policies module is imported on first use: policies import the models, so the models
    cannot import their policies while they load."""

    def check(instance: Any, user: User) -> bool:
        return bool(getattr(import_module(module), name)(user, instance))

    check.__name__ = name
    return check


def _fsm_meta(obj: models.Model, name: str) -> Any:
    method = getattr(obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{type(obj).__name__}.{name} is not a django-fsm transition")
    return meta


def _state(obj: models.Model, meta: Any) -> str:
    return str(getattr(obj, meta.field.attname))


def delegated(
    allowed: bool,
    actor: User | None,
    *,
    as_delegate: bool,
    message: str,
    may_delegate: bool | None = None,
) -> bool:
    """The one rule of acting in someone else's place. False when the actor may act in their
    own right; True when they asked to act as a delegate and may (by default: an admin); else
    PermissionDenied with `message`. The audit row of a delegated act says so."""
    if allowed:
        return False
    if as_delegate and (
        roles.has_role(actor, roles.ADMIN) if may_delegate is None else may_delegate
    ):
        return True
    raise PermissionDenied(message)


CREATED = ""  # the source state of every object's first audit row, in every app


def record_creation(
    obj: models.Model, *, actor: User | None, target: str, action: str = "create", comment: str = ""
) -> None:
    """The audit row (and the event) of a new object: `action` from nothing (`CREATED`) to its
    first state, inside the transaction that created it (see `record_change`)."""
    record_change(obj, action=action, source=CREATED, target=target, actor=actor, comment=comment)
    events.emit_transition(obj, transition=action, source=CREATED, target=target, actor=actor)


def record_change(
    obj: models.Model,
    *,
    action: str,
    actor: User | None,
    source: str,
    target: str | None = None,
    comment: str = "",
    as_delegate: bool = False,
    label: str = "",
    on_commit: Callable[[], None] | None = None,
    robust: bool = False,
) -> None:
    """The audit row of a write that is not a django-fsm transition (a sign-off record, a
    timeline entry, a token revoked): `action` from `source` to `target` (default: the same
    state), then `on_commit` once the transaction commits (`robust`: its failure is logged, not
    raised). Call it inside the transaction in which the caller locked the row (`lock`) and
    checked the permission (`delegated` tells whether `as_delegate` applies); outside one it
    refuses, as an unlocked change would race. `label` names an object whose `str()` does not
    say what it is."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"record_change({action!r}) outside the transaction of the change.")
    record_transition(
        obj,
        transition=action,
        source=source,
        target=source if target is None else target,
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        label=label,
    )
    if on_commit is not None:
        transaction.on_commit(on_commit, robust=robust)


def lock(model: type[M], pk: Any) -> M:
    """Fetch the row for update; the caller must be inside `transaction.atomic`."""
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except ObjectDoesNotExist as exc:
        message = _("No %(object)s with id %(id)s.") % {
            "object": model._meta.verbose_name,
            "id": pk,
        }
        raise Http404(message) from exc


def perform(
    model: type[M],
    pk: Any,
    name: str,
    *,
    actor: User | None,
    comment: str = "",
    as_delegate: bool = False,
    system: bool = False,
    kwargs: dict[str, Any] | None = None,
    before: Callable[[M], None] | None = None,
    after: Callable[[M], None] | None = None,
    on_commit: Callable[[M], None] | None = None,
) -> M:
    """Lock, check, transition, save, audit, then notify after commit. Returns the object.

    Raises TransitionConflict (409) when the state does not allow it (also when another
    request changed the state first), PermissionDenied (403) when the actor may not, and lets
    ValidationError from `before` or the transition through (400). `system=True` is for the
    periodic tasks, which act as nobody. `as_delegate=True` lets an admin act in place of the
    person the rules name; the audit row says so.
    """
    with transaction.atomic():
        obj = lock(model, pk)
        meta = _fsm_meta(obj, name)
        source = _state(obj, meta)
        label = transition_label(meta, name, source)
        verbose = obj._meta.verbose_name
        if not meta.has_transition(source):
            state = state_label(type(obj), source, meta.field.name)
            raise TransitionConflict(
                _("“%(action)s” is not available: this %(object)s's state is “%(state)s”.")
                % {"action": label, "object": verbose, "state": state},
                code="invalid_state",
            )
        as_someone_else = not system and delegated(
            meta.has_transition_perm(obj, source, actor),
            actor,
            as_delegate=as_delegate,
            message=_("You may not %(action)s this %(object)s.")
            % {"action": label.lower(), "object": verbose},
        )
        unmet = _unmet(meta, source, obj)
        if unmet is not None:
            reason, code = unmet
            raise TransitionConflict(
                reason
                or _("Cannot %(action)s this %(object)s yet: its conditions are not met.")
                % {"action": label.lower(), "object": verbose},
                code=code,
            )
        if before is not None:
            before(obj)
        try:
            getattr(obj, name)(**(kwargs or {}))
        except TransitionNotAllowed as exc:
            raise TransitionConflict(str(exc), code="invalid_state") from exc
        obj.save()
        record_transition(
            obj,
            transition=name,
            source=source,
            target=_state(obj, meta),
            actor=None if system else actor,
            comment=comment,
            as_delegate=as_someone_else,
        )
        events.emit_transition(
            obj, transition=name, source=source, target=_state(obj, meta),
            actor=None if system else actor, comment=comment,
        )  # fmt: skip
        if after is not None:
            after(obj)
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(obj))
    return obj


def state_allows(obj: models.Model, field: str = "status") -> set[str]:
    """The names of the transitions the object's state (and their conditions) allow now, whoever
    asks: what an admin may take in someone's place, as an explicit delegate."""
    return {t.name for t in getattr(obj, f"get_available_{field}_transitions")()}


def available_actions(
    obj: models.Model, user: User, catalogue: dict[str, Action], field: str = "status"
) -> list[Action]:
    """The actions this user may take now, in catalogue order: what the page offers as buttons.

    Built from django-fsm's available transitions for the user, so the page never offers what
    `perform` would refuse for state or permission."""
    getter = getattr(obj, f"get_available_user_{field}_transitions")
    names = {t.name for t in getter(user)}
    return [action for key, action in catalogue.items() if key in names]
