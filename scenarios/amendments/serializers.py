"""API shapes of amendments. Serializers parse; the services write; none sets status."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.serializers import UserSummarySerializer
from scenarios import checklist
from scenarios.amendments import selectors
from scenarios.models import Amendment, Scenario
from scenarios.serializers import ScenarioWriteSerializer


class DiscoveryCandidateSerializer(serializers.Serializer):
    model = serializers.CharField(max_length=200, help_text="Candidate model tried.")
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, help_text="Its eval score."
    )


class AmendmentValuesSerializer(ScenarioWriteSerializer):
    """Proposed values: any governed field of the intake (owners and escalation people as user
    ids, tools as registry ids), and for a migration its own answers. Name only what changes."""

    team = None  # type: ignore[assignment]
    # `max_length` goes to the ListSerializer that `many=True` builds; the stubs do not say so.
    discovery = DiscoveryCandidateSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=50,
        help_text="Migration, product side: candidate models tried.",
    )
    self_hosted_candidate = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Migration, platform side."
    )
    latency_p50_ms = serializers.IntegerField(
        min_value=0, max_value=Amendment.MAX_LATENCY_MS, required=False, allow_null=True
    )
    latency_p95_ms = serializers.IntegerField(
        min_value=0, max_value=Amendment.MAX_LATENCY_MS, required=False, allow_null=True
    )

    class Meta(ScenarioWriteSerializer.Meta):
        fields: ClassVar[list[str]] = [  # type: ignore[misc]
            *Amendment.AMENDABLE_FIELDS,
            *Amendment.MIGRATION_FIELDS,
        ]

    def get_fields(self) -> dict[str, Any]:
        return super(ScenarioWriteSerializer, self).get_fields()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                message = _("Not a governed field: edit it on the scenario, or it does not exist.")
                raise serializers.ValidationError(dict.fromkeys(unknown, [message]))
        return super().to_internal_value(data)


class AmendmentCreateSerializer(serializers.Serializer):
    scenario = serializers.PrimaryKeyRelatedField(
        queryset=Scenario.objects.live(), help_text="An approved or onboarded scenario's id."
    )
    kind = serializers.ChoiceField(choices=Amendment.Kind.choices, default=Amendment.Kind.CHANGE)
    summary = serializers.CharField(max_length=200, help_text="What changes and why.")
    values = AmendmentValuesSerializer(required=False)


class AmendmentUpdateSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=200, required=False)
    values = AmendmentValuesSerializer(required=False)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.CharField(help_text="The scenario's current value.")
    after = serializers.CharField(help_text="The proposed value.")


class ChecklistRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    passed = serializers.BooleanField()
    applicable = serializers.BooleanField()
    summary = serializers.CharField()


class AmendmentSerializer(serializers.ModelSerializer):
    """An amendment as read, with the diff against the scenario and the result's checklist."""

    scenario_name = serializers.CharField(source="scenario.name", read_only=True)
    requested_by = UserSummarySerializer(read_only=True)
    submitted_by = UserSummarySerializer(read_only=True, allow_null=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    platform_part_by = UserSummarySerializer(read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Amendment
        fields = [
            "id", "scenario", "scenario_name", "kind", "status", "summary", "proposed",
            "changes", "checklist", "missing", "discovery", "self_hosted_candidate",
            "latency_p50_ms", "latency_p95_ms", "applied_changes", "decision_comment",
            "requested_by", "submitted_by", "decided_by", "platform_part_by", "created_at",
            "submitted_at", "decided_at", "applied_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, amendment: Amendment) -> list[dict[str, Any]]:
        return [dataclasses.asdict(change) for change in selectors.changes(amendment)]

    @extend_schema_field(ChecklistRowSerializer(many=True))
    def get_checklist(self, amendment: Amendment) -> list[dict[str, Any]]:
        """The architecture review checklist of the scenario as it would be."""
        result = selectors.result_of(amendment)
        return [
            {
                "key": row.key,
                "label": row.label,
                "passed": row.passed,
                "applicable": row.applicable,
                "summary": row.summary,
            }
            for row in checklist.evaluate(result)
        ]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_missing(self, amendment: Amendment) -> dict[str, str]:
        """What blocks submission (migration parts, completeness of the result), by field."""
        if amendment.status not in Amendment.EDITABLE_STATES:
            return {}
        result = selectors.result_of(amendment)
        return {**checklist.missing_items(result), **selectors.missing_parts(amendment, result)}


class AmendmentListSerializer(serializers.ModelSerializer):
    scenario_name = serializers.CharField(source="scenario.name", read_only=True)
    requested_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Amendment
        fields = [
            "id", "scenario", "scenario_name", "kind", "status", "summary", "requested_by",
            "created_at", "submitted_at", "decided_at", "applied_at",
        ]  # fmt: skip
        read_only_fields = fields
