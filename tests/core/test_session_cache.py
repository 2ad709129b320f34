"""A signed-in request reads its session, user, roles and teams from the cache: no query when
the cache holds them, a fixed few when it does not, and no write but one renewal a minute.
Every change of a user, their groups or their teams is seen by their next request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.core import roles
from portal.core.sessions import RANDOM_CHARS, SessionStore, user_id_in_key
from portal.core.user_cache import cached_user
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]
OK = "/bench/ok/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _signed_in(user: Any) -> Client:
    client = Client()
    assert (
        client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_a_warm_signed_in_request_runs_no_query(django_assert_num_queries: Any) -> None:
    client = _signed_in(UserFactory(roles=[roles.PRODUCT_OWNER], teams=[TeamFactory()]))
    with django_assert_num_queries(0):  # signing in put the session and the user in the cache
        response = client.get(OK)
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert roles.role_names(response.wsgi_request.user) == {roles.PRODUCT_OWNER}


def test_a_cold_request_reads_session_user_and_memberships_once(
    django_assert_num_queries: Any,
) -> None:
    client = _signed_in(UserFactory(roles=[roles.QUALITY_OWNER]))
    client.get(OK)
    caches[settings.SESSION_CACHE_ALIAS].clear()
    with django_assert_num_queries(3):
        response = client.get(OK)
    assert roles.role_names(response.wsgi_request.user) == {roles.QUALITY_OWNER}
    with django_assert_num_queries(0):
        client.get(OK)


def test_the_session_is_renewed_at_most_once_a_minute() -> None:
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(user)
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        expiry = Session.objects.get(session_key=key).expire_date
        for _ in range(6):  # signing in was the first renewal: none in its minute
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(OK).status_code == 200
            assert _writes(ctx) == []
            clock.shift(dt.timedelta(seconds=9))
        assert Session.objects.get(session_key=key).expire_date == expiry

        clock.shift(dt.timedelta(seconds=6))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(OK)
        assert len(_writes(ctx)) == 1
        assert settings.SESSION_COOKIE_NAME in response.cookies
        renewed = Session.objects.get(session_key=key).expire_date
        assert renewed == START + dt.timedelta(seconds=60, hours=8)
        with CaptureQueriesContext(connection) as ctx:
            client.get(OK)
        assert _writes(ctx) == []


def test_an_active_session_outlives_the_idle_timeout_and_an_idle_one_ends() -> None:
    active, idle = UserFactory(username="active"), UserFactory(username="idle")
    with time_machine.travel(START, tick=False) as clock:
        active_client, idle_client = _signed_in(active), _signed_in(idle)
        for _ in range(20):  # ten hours, a request every half hour
            clock.shift(dt.timedelta(minutes=30))
            assert active_client.get("/").status_code == 200
        assert idle_client.get("/")["Location"].startswith("/login/")


def test_a_removed_role_is_gone_on_the_next_request() -> None:
    user = UserFactory(roles=[roles.PRODUCT_OWNER, roles.COST_OWNER])
    client = _signed_in(user)
    assert client.get("/api/v1/me/").json()["roles"] == [roles.COST_OWNER, roles.PRODUCT_OWNER]

    user.groups.remove(Group.objects.get(name=roles.COST_OWNER))
    assert client.get("/api/v1/me/").json()["roles"] == [roles.PRODUCT_OWNER]

    Group.objects.get_or_create(name=roles.QUALITY_OWNER)[0].user_set.add(user)
    assert client.get("/api/v1/me/").json()["roles"] == [roles.PRODUCT_OWNER, roles.QUALITY_OWNER]

    Group.objects.get(name=roles.PRODUCT_OWNER).delete()
    assert client.get("/api/v1/me/").json()["roles"] == [roles.QUALITY_OWNER]

    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    assert client.get("/api/v1/me/").json()["roles"] == [roles.ADMIN, roles.QUALITY_OWNER]


def test_team_changes_from_either_side_reach_the_cached_user() -> None:
    first, second = TeamFactory(slug="first"), TeamFactory(slug="second")
    user = UserFactory(teams=[first])
    assert roles.team_ids(cached_user(user.pk)) == {first.pk}

    second.members.add(user)
    assert roles.team_ids(cached_user(user.pk)) == {first.pk, second.pk}
    first.members.clear()
    assert roles.team_ids(cached_user(user.pk)) == {second.pk}
    user.teams.remove(second)
    assert roles.team_ids(cached_user(user.pk)) == frozenset()
    user.teams.add(first)
    first.delete()
    assert roles.team_ids(cached_user(user.pk)) == frozenset()


def test_a_deactivated_user_is_signed_out_by_their_next_request_from_the_cache() -> None:
    user = UserFactory()
    client = _signed_in(user)
    client.get(OK)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert client.get("/")["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=key).exists()


def test_an_entry_built_from_a_read_older_than_a_change_is_not_served() -> None:
    """A request that read the user before a change and cached it after the invalidation."""
    user = UserFactory(roles=[roles.COST_OWNER])
    stale = cached_user(user.pk)
    cache = caches[settings.SESSION_CACHE_ALIAS]
    entry = cache.get(f"portal.user:{user.pk}")
    user.groups.clear()
    cache.set(f"portal.user:{user.pk}", entry)  # the racing request's late write
    assert roles.role_names(stale) == {roles.COST_OWNER}
    assert roles.role_names(cached_user(user.pk)) == frozenset()


def test_the_password_hash_stays_out_of_the_cache() -> None:
    user = UserFactory()
    cached_user(user.pk)  # read from the database, and cached
    entry = caches[settings.SESSION_CACHE_ALIAS].get(f"portal.user:{user.pk}")
    assert "password" not in entry["fields"] and user.password not in repr(entry)
    served = cached_user(user.pk)  # from the cache
    assert "password" not in served.__dict__
    assert served.get_session_auth_hash() == user.get_session_auth_hash()
    assert served.password == user.password  # loaded on demand


def test_a_password_changed_elsewhere_ends_the_session() -> None:
    user = UserFactory()
    client = _signed_in(user)
    assert client.get(OK).status_code == 200
    user.set_password("A-new-password-2026")
    user.save()
    assert client.get("/")["Location"].startswith("/login/")


def test_changing_ones_own_password_keeps_the_session() -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = _signed_in(admin)
    new = "A-new-password-2026"
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.get("/").status_code == 200
    admin.refresh_from_db()
    assert admin.check_password(new)


def test_signing_in_gives_the_session_a_key_ending_with_the_users_id() -> None:
    user = UserFactory()
    client = _signed_in(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key.endswith(str(user.pk)) and len(key) == RANDOM_CHARS + len(str(user.pk))
    assert user_id_in_key(key) == str(user.pk)
    # The key Django's sign-in gave before the user was known is gone.
    assert list(Session.objects.values_list("session_key", flat=True)) == [key]
    assert client.get(OK).status_code == 200


def test_the_id_in_a_key_only_says_where_to_look() -> None:
    victim, other = UserFactory(username="victim"), UserFactory(username="other")
    _signed_in(victim)
    forged = Client()
    forged.cookies[settings.SESSION_COOKIE_NAME] = "a" * RANDOM_CHARS + str(victim.pk)
    assert forged.get(OK)["Location"].startswith("/login/")
    # A real session whose key names someone else still signs in the session's own user.
    session = SessionStore()
    session.create()
    mislabelled = "b" * RANDOM_CHARS + str(victim.pk)
    session.save()
    Session.objects.filter(session_key=session.session_key).update(session_key=mislabelled)
    signed_in_other = _signed_in(other)
    data = Session.objects.get(
        session_key=signed_in_other.cookies[settings.SESSION_COOKIE_NAME].value
    ).session_data
    Session.objects.filter(session_key=mislabelled).update(session_data=data)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = mislabelled
    response = replay.get(OK)
    assert response.status_code == 200
    assert response.wsgi_request.user == other


def test_a_session_with_a_key_of_djangos_shape_still_signs_in() -> None:
    user = UserFactory(roles=[roles.COST_OWNER])
    session = SessionStore()
    session.create()  # before the user is known: 32 random characters
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    assert len(session.session_key) == RANDOM_CHARS and user_id_in_key(session.session_key) is None
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(OK)
    assert response.status_code == 200
    assert roles.role_names(response.wsgi_request.user) == {roles.COST_OWNER}
