"""Failed sign-ins are throttled (django-axes) on the sign-in page and on the token exchange:
per username and address, and per address alone at a higher limit, for a cool-off period."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from portal.core.models import ApiToken, AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LOCKED = "Too many failed sign-ins. Try again in 15 minutes."
HERE, ELSEWHERE = "10.0.0.1", "10.0.0.2"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    extra.setdefault("REMOTE_ADDR", HERE)
    return client.post("/login/", {"username": username, "password": password}, **extra)


def fail(client: Client, username: str, times: int, **extra: Any) -> list[int]:
    return [sign_in(client, username, "wrong", **extra).status_code for _ in range(times)]


def exchange(client: Client, username: str, password: str, address: str = HERE) -> Any:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.post(
        "/api/v1/tokens/",
        {"name": "ci"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {pair}",
        REMOTE_ADDR=address,
    )


def lockouts() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(transition="lock_out"))


def test_the_defaults() -> None:
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_IP_FAILURE_LIMIT == 50
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert settings.TRUSTED_PROXY_COUNT == 0


@time_machine.travel(START, tick=False)
def test_the_tenth_failure_locks_and_then_the_right_password_is_refused(
    client: Client, outsider: Any
) -> None:
    assert fail(client, outsider.username, 9) == [200] * 9
    tenth = sign_in(client, outsider.username, "wrong")
    assert tenth.status_code == 429
    assert LOCKED in tenth.content.decode()
    assert "did not match" not in tenth.content.decode()
    assert 'name="password"' in tenth.content.decode()  # still the sign-in page

    assert fail(client, outsider.username, 1) == [429]
    right = sign_in(client, outsider.username)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert client.get("/").status_code == 302  # not signed in


@time_machine.travel(START, tick=False)
def test_another_user_from_another_address_is_unaffected(
    client: Client, outsider: Any, product_owner: Any
) -> None:
    fail(client, outsider.username, 10)
    assert sign_in(Client(), product_owner.username, REMOTE_ADDR=ELSEWHERE).status_code == 302
    # The lock is on the username at that address, not on the account everywhere.
    assert sign_in(Client(), outsider.username, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_signing_in_works_again_after_the_cool_off(client: Client, outsider: Any) -> None:
    with time_machine.travel(START, tick=False):
        fail(client, outsider.username, 10)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert sign_in(client, outsider.username).status_code == 429
    # Each refused attempt starts the cool-off again.
    with time_machine.travel(START + dt.timedelta(minutes=28), tick=False):
        assert sign_in(client, outsider.username).status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=44), tick=False):
        assert sign_in(client, outsider.username).status_code == 302
        assert client.get("/").status_code == 200


@time_machine.travel(START, tick=False)
def test_one_address_trying_many_usernames_is_locked_at_the_higher_limit(
    client: Client, outsider: Any, product_owner: Any
) -> None:
    for n in range(49):
        assert sign_in(client, f"guess{n}", "wrong").status_code == 200
    assert sign_in(client, "guess49", "wrong").status_code == 429
    assert sign_in(Client(), outsider.username).status_code == 429
    assert sign_in(Client(), product_owner.username, REMOTE_ADDR=ELSEWHERE).status_code == 302


@time_machine.travel(START, tick=False)
def test_an_admin_unlocks_a_username(client: Client, outsider: Any) -> None:
    fail(client, outsider.username, 10)
    call_command("axes_reset_username", outsider.username)
    assert sign_in(client, outsider.username).status_code == 302


@time_machine.travel(START, tick=False)
def test_token_exchange_answers_429_after_the_limit(
    client: Client, outsider: Any, product_owner: Any
) -> None:
    assert [exchange(client, outsider.username, "wrong").status_code for _ in range(9)] == [401] * 9
    tenth = exchange(client, outsider.username, "wrong")
    assert tenth.status_code == 429
    assert tenth.json() == {"detail": LOCKED, "code": "locked_out"}
    assert tenth["Retry-After"] == "900"
    right = exchange(client, outsider.username, PASSWORD)
    assert right.status_code == 429 and right.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()
    assert exchange(Client(), product_owner.username, PASSWORD, ELSEWHERE).status_code == 201


@time_machine.travel(START, tick=False)
def test_the_page_and_the_token_exchange_count_together(client: Client, outsider: Any) -> None:
    fail(client, outsider.username, 5)
    assert [exchange(client, outsider.username, "wrong").status_code for _ in range(5)] == [
        401, 401, 401, 401, 429,
    ]  # fmt: skip
    assert sign_in(client, outsider.username).status_code == 429


def test_each_lockout_is_audited_once(client: Client, outsider: Any) -> None:
    with time_machine.travel(START, tick=False):
        fail(client, outsider.username, 9)
        assert lockouts() == []
        fail(client, outsider.username, 4)
        exchange(client, outsider.username, PASSWORD)
    [entry] = lockouts()
    assert (entry.source, entry.target, entry.actor) == ("active", "locked_out", None)
    assert entry.object_repr == f"{outsider.username} from {HERE}"
    assert entry.comment == "10 failed sign-ins; locked for 15 minutes."
    assert entry.request_id

    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        fail(client, outsider.username, 10)
    assert len(lockouts()) == 2


@time_machine.travel(START, tick=False)
def test_forwarded_for_is_ignored_without_a_trusted_proxy(client: Client, outsider: Any) -> None:
    statuses = [
        sign_in(client, outsider.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(10)
    ]
    assert statuses[-1] == 429
    assert lockouts()[0].object_repr == f"{outsider.username} from {HERE}"


@time_machine.travel(START, tick=False)
def test_behind_a_trusted_proxy_the_client_address_comes_from_forwarded_for(
    client: Client, outsider: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client sent before it is not trusted.
    behind = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    assert fail(client, outsider.username, 10, **behind)[-1] == 429
    assert lockouts()[0].object_repr == f"{outsider.username} from 198.51.100.7"
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert sign_in(Client(), outsider.username, **other).status_code == 302
    # A request that did not come through the proxy is keyed by its own address.
    assert sign_in(Client(), outsider.username, REMOTE_ADDR=ELSEWHERE).status_code == 302


@time_machine.travel(START, tick=False)
def test_a_forged_forwarded_for_value_falls_back_to_the_peer(
    client: Client, outsider: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    fail(client, outsider.username, 10, HTTP_X_FORWARDED_FOR="not-an-address")
    assert lockouts()[0].object_repr == f"{outsider.username} from {HERE}"


def test_many_users_sign_in_without_locking_anyone_out(db: Any) -> None:
    people = [UserFactory(username=f"member{n}") for n in range(12)]
    client = Client()
    for person in people:
        assert sign_in(client, person.username).status_code == 302
        client.post("/logout/", REMOTE_ADDR=HERE)


@time_machine.travel(START, tick=False)
def test_the_admin_sign_in_counts_and_is_locked_too(client: Client, admin_user: Any) -> None:
    def admin_sign_in(password: str) -> Any:
        data = {"username": admin_user.username, "password": password, "next": "/admin/"}
        return client.post("/admin/login/", data, REMOTE_ADDR=HERE)

    assert [admin_sign_in("wrong").status_code for _ in range(10)] == [200] * 9 + [429]
    locked = admin_sign_in(PASSWORD)
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    assert client.get("/admin/").status_code == 302
