"""Scenario list rows built directly, in place of DRF's field-by-field
`ModelSerializer.to_representation` for `ScenarioListSerializer`.

The API's scenario list runs this for every row of every page. Measured with `make bench` and
`bench/inprocess.py --cpu`, DRF's per-field machinery cost the list more than its queries: the
API list's 0.25 target fails without this (see the README's machinery table).
`tests/scenarios/test_scenario_list_serializer.py` holds the two equal, field by field, for rows
with and without the optional values."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.core.serializers import person_summary
from scenarios.models import Scenario

MOMENTS = ("created_at", "submitted_at", "decided_at", "onboarded_at")

_DATETIME = serializers.DateTimeField()


def scenario_row(scenario: Scenario) -> dict[str, Any]:
    """What `ScenarioListSerializer`'s declared fields produce for one scenario, in their order."""
    moment = _DATETIME.to_representation
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "team": scenario.team.slug if scenario.team_id is not None else None,
        "status": scenario.status,
        "primary_route": scenario.primary_route,
        "hosting": scenario.hosting,
        "risk_level": scenario.risk_level,
        "product_owner": person_summary(scenario.product_owner),
        "platform_owner": person_summary(scenario.platform_owner),
        **{
            name: None if (value := getattr(scenario, name)) is None else moment(value)
            for name in MOMENTS
        },
    }
