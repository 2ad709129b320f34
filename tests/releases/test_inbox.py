"""The sign-off inbox: one row per sign-off owed, oldest first, paged in the database with a
bounded count; the list and API `awaiting` filters show the same releases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from releases import selectors
from releases.models import SIGNOFF_RULES, ReleasePolicy
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - dt.timedelta(days=30)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(user: Any, stop: int = 100) -> list[tuple[Any, str]]:
    return [(item.release, item.kind) for item in selectors.SignOffQueue.of(user)[0:stop]]


@pytest.fixture
def mixed(
    make_release: Any, scenario: Any, product_team: Any, quality_owner: Any, platform_owner: Any
) -> dict[str, Any]:
    """Releases in every state, some signed, one on the fast path, one where the quality owner
    also owns the cost sign-off, and one the quality owner wrote."""
    both = ScenarioFactory(
        status="onboarded",
        team=product_team,
        quality_owner=quality_owner,
        cost_owner=quality_owner,
        platform_owner=platform_owner,
    )
    made = {
        "draft": make_release("draft"),
        "review": make_release("submitted", submitted_at=T0 + dt.timedelta(hours=3)),
        "quality_given": make_release("submitted", submitted_at=T0),
        "both": make_release("submitted", scenario=both, submitted_at=T0 + dt.timedelta(hours=1)),
        "own": make_release("submitted", author=quality_owner),
        "rollout": make_release("approved", approved_at=T0 + dt.timedelta(hours=2)),
        "fast": make_release("approved", change_type="prompt_only"),
        "released": make_release("released"),
    }
    SignOffFactory(release=made["quality_given"], kind="quality", actor=quality_owner)
    return made


def _owed(user: Any, kind: Any) -> Any:
    """The ORM definition the inbox's SQL implements: releases on which `kind` is due from
    this user as the named signer, and they are not the author."""
    return selectors.due_signoffs(kind).filter(owner_id=user.pk).exclude(author_id=user.pk)


class TestQueue:
    def test_one_row_per_sign_off_oldest_first_kinds_in_order_on_a_tie(
        self, mixed: dict[str, Any], quality_owner: Any, cost_owner: Any
    ) -> None:
        assert _rows(quality_owner) == [
            (mixed["both"], "quality"),
            (mixed["both"], "cost"),
            (mixed["review"], "quality"),
        ]
        assert _rows(cost_owner) == [
            (mixed["quality_given"], "cost"),
            (mixed["review"], "cost"),
            (mixed["own"], "cost"),
        ]

    def test_rollouts_and_the_fast_path(
        self, mixed: dict[str, Any], product_owner: Any, platform_owner: Any
    ) -> None:
        rollout, fast = mixed["rollout"], mixed["fast"]
        assert set(_rows(product_owner)) == {
            (rollout, "product_rollout"),
            (fast, "product_rollout"),
        }
        assert _rows(platform_owner) == [(rollout, "platform_rollout")]
        ReleasePolicy.objects.update_or_create(pk=1, defaults={"fast_path_enabled": False})
        assert set(_rows(platform_owner)) == {
            (rollout, "platform_rollout"),
            (fast, "platform_rollout"),
        }

    @pytest.mark.parametrize(
        "person", ["quality_owner", "cost_owner", "product_owner", "platform_owner", "admin_user"]
    )
    def test_the_sql_agrees_with_the_orm_definition(
        self, mixed: dict[str, Any], person: str, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(person)
        expected = {(release, kind) for kind in SIGNOFF_RULES for release in _owed(user, kind)}
        assert set(_rows(user)) == expected
        assert selectors.SignOffQueue.of(user).count() == len(expected)

    def test_admins_sign_as_delegates_but_owe_nothing(
        self, mixed: dict[str, Any], admin_user: Any
    ) -> None:
        assert _rows(admin_user) == []

    def test_nobody_signed_out_or_inactive_owes_anything(
        self, mixed: dict[str, Any], quality_owner: Any
    ) -> None:
        quality_owner.is_active = False
        for user in (AnonymousUser(), quality_owner):
            assert selectors.SignOffQueue.of(user).count() == 0
            assert _rows(user) == []
            assert list(selectors.release_list(user, selectors.ReleaseFilters(awaiting=True))) == []


class TestPages:
    def test_the_awaiting_filters_list_the_inbox_releases(
        self, mixed: dict[str, Any], quality_owner: Any, platform_owner: Any
    ) -> None:
        for user in (quality_owner, platform_owner):
            inbox = {release.pk for release, _ in _rows(user)}
            listed = _client(user).get("/releases/?awaiting=on").context["releases"]
            assert {release.pk for release in listed} == inbox
            api = APIClient()
            api.force_authenticate(user)
            results = api.get("/api/v1/releases/?awaiting=true").json()["results"]
            assert {row["id"] for row in results} == inbox

    def test_pages_follow_on(self, scenario: Any, author: Any, quality_owner: Any) -> None:
        releases = [
            ReleaseFactory(
                scenario=scenario,
                author=author,
                status="submitted",
                submitted_at=T0 + dt.timedelta(minutes=n % 7),
            )
            for n in range(30)
        ]
        client = _client(quality_owner)
        first = client.get("/releases/sign-offs/").context
        second = client.get("/releases/sign-offs/?page=2").context
        shown = [item.release for item in [*first["items"], *second["items"]]]
        assert shown == sorted(releases, key=lambda r: (r.submitted_at, r.pk))
        assert (len(first["items"]), first["page_obj"].paginator.count) == (25, 30)

    def test_the_count_stops_at_a_bound(
        self, scenario: Any, author: Any, quality_owner: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(selectors, "INBOX_PAGE_SIZE", 2)
        monkeypatch.setattr(selectors, "INBOX_COUNT_BOUND", 3)
        ReleaseFactory.create_batch(8, scenario=scenario, author=author, status="submitted")
        client = _client(quality_owner)

        response = client.get("/releases/sign-offs/")
        paginator = response.context["page_obj"].paginator
        assert (paginator.count, paginator.count_is_exact) == (4, False)
        assert "More than 4 sign-offs waiting for you; page 1 of 2+" in response.content.decode()

        last = client.get("/releases/sign-offs/?page=4").context
        assert last["page_obj"].paginator.count_is_exact is True
        assert (len(last["items"]), last["page_obj"].has_next()) == (2, False)

    def test_a_page_past_the_end_shows_the_last_one(
        self, scenario: Any, author: Any, quality_owner: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(selectors, "INBOX_PAGE_SIZE", 2)
        releases = ReleaseFactory.create_batch(
            5, scenario=scenario, author=author, status="submitted", submitted_at=T0
        )
        for asked in ("9", "x", "-1"):
            context = _client(quality_owner).get(f"/releases/sign-offs/?page={asked}").context
            number = 3 if asked == "9" else 1
            assert context["page_obj"].number == number
            assert [i.release for i in context["items"]] == releases[(number - 1) * 2 :][:2]
