"""The gateway API's shapes: the desired state, a gateway's report, moves, playground runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from gateway.models import GatewayMove, PlaygroundRun


class AliasRowSerializer(serializers.Serializer):
    alias = serializers.CharField()
    model = serializers.CharField()
    release_id = serializers.IntegerField()
    scenario_id = serializers.IntegerField()


class RouterSettingsSerializer(serializers.Serializer):
    model_group_alias = serializers.DictField(
        child=serializers.CharField(), help_text="LiteLLM's router_settings.model_group_alias."
    )


class DesiredStateSerializer(serializers.Serializer):
    aliases = AliasRowSerializer(many=True)
    router_settings = RouterSettingsSerializer()


class ReportSerializer(serializers.Serializer):
    aliases = serializers.DictField(
        child=serializers.CharField(max_length=255),
        help_text="The routing the gateway serves now: alias -> model.",
    )
    failed = serializers.DictField(
        child=serializers.CharField(max_length=2000), required=False, default=dict,
        help_text="Aliases the gateway failed to apply: alias -> error message.",
    )  # fmt: skip

    def validate_aliases(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 10000 or any(not key or len(key) > 120 for key in value):
            raise serializers.ValidationError(_("Alias names are 1 to 120 characters."))
        return value


class ReportResultSerializer(serializers.Serializer):
    applied = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.ListField(child=serializers.IntegerField())


class GatewayMoveSerializer(serializers.ModelSerializer):
    alias = serializers.CharField(source="alias.name", read_only=True)
    connector = serializers.CharField(source="connector.name", read_only=True)

    class Meta:
        model = GatewayMove
        fields = ["id", "connector", "alias", "release", "model", "status", "error", "attempts",
                  "created_at", "decided_at"]  # fmt: skip
        read_only_fields = fields


class MoveListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=GatewayMove.Status.choices, required=False, allow_blank=True
    )


class PlaygroundRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaygroundRun
        fields = ["id", "scenario", "alias_name", "model", "prompt", "answer", "error",
                  "latency_ms", "prompt_tokens", "completion_tokens", "cost", "created_at"]  # fmt: skip
        read_only_fields = fields


class PlaygroundRunWriteSerializer(serializers.Serializer):
    scenario = serializers.IntegerField(min_value=1)
    prompt = serializers.CharField(max_length=20000)
    alias = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
