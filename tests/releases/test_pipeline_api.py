"""Releases from a CI pipeline: token auth and Idempotency-Key on create."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from portal.core.token_services import token_create
from releases.models import Release

DRAFT = {
    "scenario": None,
    "title": "Nightly model bump",
    "change_type": "model",
    "model_name": "small-model",
    "model_version": "2026-03",
    "alias_name": "support-chat",
    "eval_run_ref": "ci-run-1234",
    "eval_dataset": "support-golden-v1",
    "eval_score": "91.5",
    "eval_coverage": "100",
    "cost_per_request": "0.001",
    "accepted_outcome_rate": "80",
}


def _pipeline(user: Any) -> APIClient:
    _token, text = token_create(user, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def _create(client: APIClient, body: dict[str, Any], key: str = "ci-run-1234") -> Any:
    return client.post("/api/v1/releases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_retried_create_returns_the_first_release(scenario: Any, author: Any):
    client = _pipeline(author)
    body = {**DRAFT, "scenario": scenario.pk}
    first = _create(client, body)
    retry = _create(client, body)
    assert first.status_code == retry.status_code == 201, first.content
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Release.objects.count() == 1
    assert Release.objects.get().author == author


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(scenario: Any, author: Any):
    client = _pipeline(author)
    _create(client, {**DRAFT, "scenario": scenario.pk})
    response = _create(client, {**DRAFT, "scenario": scenario.pk, "eval_score": "95"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Release.objects.count() == 1


@pytest.mark.django_db
def test_refused_create_keeps_the_key_free(scenario: Any, author: Any, other_product_owner: Any):
    outsider = _pipeline(other_product_owner)
    assert _create(outsider, {**DRAFT, "scenario": scenario.pk}).status_code == 403
    invalid = _create(_pipeline(author), {**DRAFT, "scenario": scenario.pk, "eval_score": "120"})
    assert invalid.status_code == 400
    fixed = _create(_pipeline(author), {**DRAFT, "scenario": scenario.pk})
    assert fixed.status_code == 201
    assert Release.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_release(scenario: Any, author: Any):
    senders = 4
    body = {**DRAFT, "scenario": scenario.pk}
    barrier = threading.Barrier(senders)
    results: list[Any] = []

    def send() -> None:
        try:
            client = APIClient()
            client.force_authenticate(author)
            barrier.wait()
            results.append(_create(client, body, key="ci-run-race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [201] * senders
    assert len({r.json()["id"] for r in results}) == 1
    assert Release.objects.count() == 1
