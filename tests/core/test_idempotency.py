"""Idempotency-Key on API creates: one result per key, 422 on reuse, safe under a race."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from portal.core.idempotency import purge_expired
from portal.core.models import IdempotencyKey, Team
from portal.core.tasks import purge_idempotency_keys_task
from tests.factories import UserFactory

URL = "/api/v1/test-teams/"
pytestmark = pytest.mark.urls("tests.core.idempotency_urls")


def _post(client: APIClient, body: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


@pytest.fixture
def client(db: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(UserFactory(username="pipeline"))
    return api


def test_same_key_twice_creates_one_and_replays_the_first_response(client: APIClient):
    first = _post(client, {"name": "A", "slug": "a"})
    again = _post(client, {"slug": "a", "name": "A"})  # key order does not matter
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Team.objects.count() == 1


def test_same_key_other_body_gets_422_and_creates_nothing(client: APIClient):
    _post(client, {"name": "A", "slug": "a"})
    response = _post(client, {"name": "B", "slug": "b"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(Team.objects.values_list("slug", flat=True)) == ["a"]


def test_without_a_key_every_request_creates(client: APIClient):
    _post(client, {"name": "A", "slug": "a"}, key=None)
    _post(client, {"name": "A2", "slug": "a2"}, key=None)
    assert Team.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_other_keys_and_other_users_are_independent(client: APIClient):
    _post(client, {"name": "A", "slug": "a"}, key="k-1")
    _post(client, {"name": "B", "slug": "b"}, key="k-2")
    other = APIClient()
    other.force_authenticate(UserFactory(username="someone-else"))
    assert _post(other, {"name": "C", "slug": "c"}, key="k-1").status_code == 201
    assert Team.objects.count() == 3


def test_a_failed_request_is_not_stored_and_may_be_retried(client: APIClient):
    invalid = _post(client, {"name": "A"})
    assert invalid.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert _post(client, {"name": "A", "slug": "a"}).status_code == 201
    assert Team.objects.count() == 1


def test_overlong_key_is_refused(client: APIClient):
    response = _post(client, {"name": "A", "slug": "a"}, key="x" * 256)
    assert response.status_code == 400
    assert not Team.objects.exists()


def test_keys_expire_after_a_day(client: APIClient):
    _post(client, {"name": "A", "slug": "a"})
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert _post(client, {"name": "B", "slug": "b"}).status_code == 201
        assert Team.objects.count() == 2
    with time_machine.travel(timezone.now() + dt.timedelta(hours=50)):
        assert purge_idempotency_keys_task.delay().get() == 1
        assert purge_expired() == 0


def _race(user: Any, trial: int, senders: int) -> list[Any]:
    """`senders` threads post the same body with the same key at the same moment."""
    barrier = threading.Barrier(senders)
    results: list[Any] = []

    def send() -> None:
        try:
            api = APIClient()
            api.force_authenticate(user)
            barrier.wait()
            body = {"name": f"T{trial}", "slug": f"t{trial}", "pause": 0.2}
            results.append(_post(api, body, key=f"run-{trial}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one():
    user = UserFactory(username="pipeline")
    trials, per_trial = 5, 4
    for trial in range(trials):
        results = _race(user, trial, per_trial)
        assert [r.status_code for r in results] == [201] * per_trial
        assert len({r.json()["id"] for r in results}) == 1
        assert sum(r.has_header("Idempotent-Replayed") for r in results) == per_trial - 1
    assert Team.objects.count() == trials
