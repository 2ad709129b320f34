"""The signed-in user, their roles and their teams, cached per user so that a signed-in
request reads them without a database query.

One entry per user holds the user's fields (all but the password hash: the session hashes
derived from it instead), role names and team ids, and the version it was built under. The version lives in a key of its own: `forget_users` deletes it, so the next
request builds the entry afresh. An entry built from a read that raced with a change carries
the version from before the change and is rebuilt too. What invalidates: a change of the user
(deactivation, a new password, superuser status, the profile's language), of their groups or
teams from either side, and the deletion of a group or team (`connect_signals` lists the
signals). An update that bypasses signals (`QuerySet.update`) is seen within `ENTRY_SECONDS`.
An entry whose fields are not the model's (built before a migration added one) is rebuilt.
Signing in puts the user in the cache.

The cache is `SESSION_CACHE_ALIAS`, the one the sessions use: Redis, shared by every process;
without Redis nothing is cached and each request reads the database, as before."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in
from django.contrib.auth.models import Group
from django.core.cache import BaseCache, caches
from django.db import router
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from portal.core import roles

if TYPE_CHECKING:
    from django.http import HttpRequest

    from portal.core.models import User

ENTRY_SECONDS = 600
_PREFIX = "portal.user"


def _cache() -> BaseCache:
    return caches[settings.SESSION_CACHE_ALIAS]


def _entry_key(user_id: Any) -> str:
    return f"{_PREFIX}:{user_id}"


def _version_key(user_id: Any) -> str:
    return f"{_PREFIX}:{user_id}:version"


def cache_keys(user_id: Any) -> tuple[str, str]:
    """The keys `cached_user` reads, for a caller that reads them along with its own."""
    return _entry_key(user_id), _version_key(user_id)


# What the session store read along with the session (`portal.core.sessions`): key -> value
# (None: missing), for the user of that session only and only while their request reads them.
_prefetched: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "prefetched_user_entries", default=None
)


@contextlib.contextmanager
def prefetched(entries: dict[str, Any] | None) -> Iterator[None]:
    """`cached_user` takes the user's entries from `entries` when it holds them."""
    token = _prefetched.set(entries)
    try:
        yield
    finally:
        _prefetched.reset(token)


def cached_user(user_id: Any) -> Any | None:
    """The user with this id, roles and teams attached, from the cache or else the database."""
    cache = _cache()
    entry_key, version_key = cache_keys(user_id)
    found = _prefetched.get() or {}
    if entry_key not in found or version_key not in found:
        found = cache.get_many([entry_key, version_key])
    entry, version = found.get(entry_key), found.get(version_key)
    if entry is not None and version is not None and _is_current(entry, version):
        return _from_entry(entry)
    if version is None:
        version = _current_version(user_id)
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is not None and version is not None:
        cache.set(entry_key, _to_entry(user, version), ENTRY_SECONDS)
    return user


def _current_version(user_id: Any) -> str | None:
    cache, key = _cache(), _version_key(user_id)
    cache.add(key, uuid.uuid4().hex, ENTRY_SECONDS)
    return cache.get(key)


@functools.cache
def _field_names() -> tuple[str, ...]:
    # Every field but the password hash, the profile's language too.
    fields = get_user_model()._meta.concrete_fields
    return tuple(field.attname for field in fields if field.attname != "password")


def _is_current(entry: dict[str, Any], version: str) -> bool:
    # An entry built before a field was added (a deploy with a migration) lacks it, and reading
    # the missing field would cost a query on every request until the entry expired.
    return bool(entry["version"] == version and tuple(entry["fields"]) == _field_names())


def _to_entry(user: User, version: str) -> dict[str, Any]:
    names, teams = roles.role_names(user), roles.team_ids(user)
    fields = {name: getattr(user, name) for name in _field_names()}
    # The password hash stays out of the cache; what a request checks is the session's hash.
    hashes = (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
    return {"version": version, "fields": fields, "roles": names, "teams": teams, "hashes": hashes}


def _from_entry(entry: dict[str, Any]) -> Any:
    model = get_user_model()
    fields = entry["fields"]
    # Without the password, which is loaded (one query) only if something reads it.
    user = model.from_db(router.db_for_read(model), list(fields), list(fields.values()))
    user._session_auth_hashes = entry["hashes"]
    roles.attach_memberships(user, entry["roles"], entry["teams"])
    return user


def forget_users(user_ids: Iterable[Any]) -> None:
    """The one invalidation: the next request of each of these users reads them afresh."""
    keys = [_version_key(user_id) for user_id in user_ids]
    if keys:
        _cache().delete_many(keys)


def _signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    # The user was just read to check the password: cache them now, so the first page after
    # signing in reads no more than the ones after it. (update_last_login, connected before
    # this, has already invalidated the old entry.)
    version = _current_version(user.pk)
    if version is not None:
        _cache().set(_entry_key(user.pk), _to_entry(user, version), ENTRY_SECONDS)


def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_users([instance.pk])


def _members_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    if isinstance(instance, get_user_model()):
        forget_users([instance.pk])
    elif action == "pre_clear":
        # post_clear no longer knows who the members were.
        forget_users(_member_ids(instance))
    else:
        forget_users(kwargs.get("pk_set") or ())


def _member_ids(instance: Any) -> list[Any]:
    people = instance.user_set if isinstance(instance, Group) else instance.members
    return list(people.values_list("pk", flat=True))


def _group_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # A renamed group is a changed role for every member.
    if not created:
        forget_users(_member_ids(instance))


def _group_or_team_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The cascade removes the memberships without an m2m signal.
    forget_users(_member_ids(instance))


def connect_signals() -> None:
    """Called once from the core app's `ready`."""
    from portal.core.models import Team

    user_model = get_user_model()
    user_logged_in.connect(_signed_in, dispatch_uid="user_cache_signed_in")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="user_cache_saved")
    post_delete.connect(_user_saved, sender=user_model, dispatch_uid="user_cache_deleted")
    for through in (user_model.groups.through, Team.members.through):
        m2m_changed.connect(_members_changed, sender=through, dispatch_uid=f"user_cache_{through}")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="user_cache_group_saved")
    for model in (Group, Team):
        pre_delete.connect(_group_or_team_deleted, sender=model, dispatch_uid=f"user_cache_{model}")
