"""Releasing moves the model alias and supersedes; rolling back moves it back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases import services
from releases.models import AliasMove, ModelAlias, Release
from tests.releases.conftest import ALIAS
from tests.releases.factories import ModelAliasFactory

pytestmark = pytest.mark.django_db


def _reload(release: Any) -> Release:
    return Release.objects.get(pk=release.pk)


def test_first_release_creates_the_alias(make_release: Any, platform_owner: Any) -> None:
    release = make_release("rolling_out")

    services.release_release(release.pk, actor=platform_owner)

    release.refresh_from_db()
    alias = ModelAlias.objects.get(name=ALIAS)
    assert release.status == "released"
    assert release.previous_release is None
    assert alias.current_release == release
    assert alias.scenario == release.scenario
    move = alias.moves.get()
    assert (move.release, move.moved_by, move.ended_at) == (release, platform_owner, None)
    assert history_for(release).last().transition == "release"


def test_second_release_supersedes_the_first(make_release: Any, platform_owner: Any) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")

    services.release_release(second.pk, actor=platform_owner)

    first, second = _reload(first), _reload(second)
    assert (first.status, second.status) == ("superseded", "released")
    assert first.ended_at is not None
    assert second.previous_release == first
    alias = ModelAlias.objects.get(name=ALIAS)
    assert alias.current_release == second
    assert [m.release for m in alias.moves.order_by("started_at", "id")] == [first, second]
    assert alias.moves.filter(ended_at__isnull=True).get().release == second
    superseded = history_for(first).last()
    assert (superseded.transition, superseded.actor) == ("supersede", platform_owner)


def test_alias_history_after_release_release_rollback(
    make_release: Any, platform_owner: Any, incident_owner: Any
) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")
    services.release_release(second.pk, actor=platform_owner)

    services.release_rollback(second.pk, actor=incident_owner, reason="Answers got worse.")

    first, second = _reload(first), _reload(second)
    assert (first.status, second.status) == ("released", "rolled_back")
    assert first.ended_at is None
    alias = ModelAlias.objects.get(name=ALIAS)
    assert alias.current_release == first
    moves = list(alias.moves.order_by("started_at", "id"))
    assert [(m.release, m.moved_by) for m in moves] == [
        (first, platform_owner),
        (second, platform_owner),
        (first, incident_owner),
    ]
    assert [m.ended_at is None for m in moves] == [False, False, True]
    assert "Answers got worse." in moves[-1].reason
    rolled = history_for(second).last()
    assert (rolled.transition, rolled.actor, rolled.comment) == (
        "roll_back",
        incident_owner,
        "Answers got worse.",
    )
    restored = history_for(first).last()
    assert (restored.transition, restored.source, restored.target) == (
        "restore",
        "superseded",
        "released",
    )


def test_rollback_without_previous_release_is_a_conflict(
    make_release: Any, platform_owner: Any
) -> None:
    only = make_release("rolling_out")
    services.release_release(only.pk, actor=platform_owner)

    with pytest.raises(TransitionConflict, match="Nothing to roll back to") as caught:
        services.release_rollback(only.pk, actor=platform_owner, reason="Broken.")

    assert caught.value.code == "no_previous_release"
    assert _reload(only).status == "released"
    assert AliasMove.objects.count() == 1


def test_rollback_needs_a_reason(make_release: Any, platform_owner: Any) -> None:
    release = make_release("released")
    with pytest.raises(ValidationError):
        services.release_rollback(release.pk, actor=platform_owner, reason="  ")


def test_rollback_of_a_release_that_is_not_released_is_a_conflict(
    make_release: Any, platform_owner: Any
) -> None:
    release = make_release("approved")
    with pytest.raises(TransitionConflict):
        services.release_rollback(release.pk, actor=platform_owner, reason="x")


def test_rollback_by_someone_not_allowed_is_denied(
    make_release: Any, platform_owner: Any, quality_owner: Any
) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")
    services.release_release(second.pk, actor=platform_owner)

    with pytest.raises(PermissionDenied):
        services.release_rollback(second.pk, actor=quality_owner, reason="x")
    assert _reload(second).status == "released"


def test_rollback_inside_an_outer_transaction(
    make_release: Any, platform_owner: Any, incident_owner: Any
) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")
    services.release_release(second.pk, actor=platform_owner)
    lonely = make_release("released", alias_name="other-alias")

    with transaction.atomic():
        with pytest.raises(TransitionConflict):
            services.release_rollback(lonely.pk, actor=incident_owner, reason="x")
        # The refused call left the outer transaction usable.
        services.release_rollback(second.pk, actor=incident_owner, reason="Incident 42")

    assert _reload(second).status == "rolled_back"
    assert _reload(first).status == "released"


def test_admin_rolls_back_as_delegate(
    make_release: Any, platform_owner: Any, admin_user: Any
) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")
    services.release_release(second.pk, actor=platform_owner)

    services.release_rollback(second.pk, actor=admin_user, reason="x", as_delegate=True)

    entry = history_for(second).last()
    assert (entry.actor, entry.as_delegate) == (admin_user, True)


def test_release_then_release_then_rollback_then_release_again(
    make_release: Any, platform_owner: Any
) -> None:
    first = make_release("rolling_out")
    services.release_release(first.pk, actor=platform_owner)
    second = make_release("rolling_out")
    services.release_release(second.pk, actor=platform_owner)
    services.release_rollback(second.pk, actor=platform_owner, reason="Regressed.")
    third = make_release("rolling_out")

    services.release_release(third.pk, actor=platform_owner)

    assert _reload(third).previous_release == first
    assert _reload(first).status == "superseded"
    services.release_rollback(third.pk, actor=platform_owner, reason="Again.")
    assert ModelAlias.objects.get(name=ALIAS).current_release == first


def test_release_refused_when_the_alias_belongs_to_another_scenario(
    make_release: Any, platform_owner: Any
) -> None:
    ModelAliasFactory(name="taken")
    release = make_release("rolling_out", alias_name="taken")

    with pytest.raises(TransitionConflict, match="another scenario"):
        services.release_release(release.pk, actor=platform_owner)
    assert _reload(release).status == "rolling_out"


def test_release_refused_in_the_wrong_state_leaves_no_alias(
    make_release: Any, platform_owner: Any
) -> None:
    release = make_release("approved")
    with pytest.raises(TransitionConflict):
        services.release_release(release.pk, actor=platform_owner)
    assert not ModelAlias.objects.exists()
