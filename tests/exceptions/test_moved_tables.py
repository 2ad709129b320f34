"""Exceptions moved from the scenarios app to their own: a database at the head before the
move migrates forward with every row, reference and history entry kept (PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exceptions import services
from exceptions.models import PlatformException
from portal.core.audit import history_for, verify_chain
from releases.models import SignOff
from tests.releases.factories import ReleaseFactory, SignOffFactory

BEFORE_THE_MOVE = [
    ("scenarios", "0003_scenario_newest_index"),
    ("releases", "0002_signoff_queue_indexes"),
    ("exceptions", None),
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_moving_exceptions_to_their_app_keeps_every_row(
    platform_reviewer: Any, product_team: Any, quality_owner: Any
) -> None:
    exception = services.exception_detect(
        actor=platform_reviewer,
        kind="provider_keys",
        detection_note="Keys in CI.",
        team=product_team,
    )
    release = ReleaseFactory(status="approved")
    signoff = SignOffFactory(release=release, kind="quality", exception=exception)
    content_type = ContentType.objects.get_for_model(PlatformException)

    executor = MigrationExecutor(connection)
    old = executor.migrate(BEFORE_THE_MOVE).apps
    assert old.get_model("scenarios", "PlatformException").objects.get(pk=exception.pk).title
    assert old.get_model("releases", "SignOff").objects.get(pk=signoff.pk).exception_id == (
        exception.pk
    )
    old_types = old.get_model("contenttypes", "ContentType").objects
    assert old_types.get(pk=content_type.pk).app_label == "scenarios"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved = PlatformException.objects.get(pk=exception.pk)
    assert (moved.title, moved.status, moved.team_id) == (
        exception.title,
        "detected",
        product_team.pk,
    )
    assert SignOff.objects.get(pk=signoff.pk).exception_id == exception.pk
    assert ContentType.objects.get_for_model(PlatformException).pk == content_type.pk
    assert [e.transition for e in history_for(moved)] == ["detect"]
    assert verify_chain().intact
