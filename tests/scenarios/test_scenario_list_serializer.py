"""`scenarios.list_representation` (the list serializer's direct representation) equals what
its declared DRF fields produce."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers

from scenarios import selectors
from scenarios.serializers import ScenarioListSerializer
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _declared(instance: Any) -> dict[str, Any]:
    """The representation DRF builds field by field from the serializer's declarations."""
    serializer = ScenarioListSerializer(instance)
    return dict(serializers.ModelSerializer.to_representation(serializer, instance))


def test_direct_output_matches_the_declared_fields(platform_reviewer: Any) -> None:
    ScenarioFactory(status="draft", complete=False)  # blank route and hosting, no platform owner
    ScenarioFactory(status="submitted")
    onboarded = ScenarioFactory(status="onboarded")
    type(onboarded).objects.filter(pk=onboarded.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=3, microseconds=7),
        onboarded_at=timezone.now(),
    )
    rows = list(selectors.scenario_list(platform_reviewer))
    assert len(rows) == 3
    outputs = ScenarioListSerializer(rows, many=True).data
    for row, output in zip(rows, outputs, strict=True):
        expected = _declared(row)
        assert list(output) == list(expected) == ScenarioListSerializer.Meta.fields
        assert output == expected
    assert {o["platform_owner"] is None for o in outputs} == {True, False}
    assert any(o["onboarded_at"] for o in outputs)
