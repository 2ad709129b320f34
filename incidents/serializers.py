"""API shapes for incidents. Serializers never write: the API views call incidents.services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents import selectors
from incidents.models import ActionItem, Incident, IncidentUpdate, Postmortem, RollbackAction
from incidents.models import Severity as SeverityChoices
from portal.core import auth
from portal.core.api_conventions import RefuseReadOnly
from portal.core.models import User
from portal.core.serializers import UserSummarySerializer, VisibleRelatedField
from portal.core.validators import validate_past, validate_planned
from releases.models import Release
from releases.selectors import visible_releases
from scenarios.models import Scenario, Tool
from scenarios.selectors import visible_scenarios


class ScenarioRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "name"]


class ReleaseRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Release
        fields = ["id", "name", "status"]


class IncidentListSerializer(serializers.ModelSerializer):
    scenario = ScenarioRefSerializer(read_only=True)
    incident_owner = UserSummarySerializer(read_only=True)
    handed_to = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Incident
        fields = [
            "id", "title", "severity", "status", "scenario", "incident_owner", "handed_to",
            "impact_started_at", "opened_at", "acknowledged_at", "mitigated_at", "resolved_at",
            "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class RollbackActionSerializer(serializers.ModelSerializer):
    release = ReleaseRefSerializer(read_only=True)
    restored_release = ReleaseRefSerializer(read_only=True, allow_null=True)
    tool: serializers.StringRelatedField[Tool] = serializers.StringRelatedField(
        read_only=True, allow_null=True
    )
    actor = UserSummarySerializer(read_only=True)

    class Meta:
        model = RollbackAction
        fields = [
            "id",
            "kind",
            "release",
            "restored_release",
            "tool",
            "actor",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class IncidentUpdateSerializer(RefuseReadOnly, serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = IncidentUpdate
        fields = ["id", "kind", "text", "author", "created_at"]
        read_only_fields = ["id", "kind", "author", "created_at"]


class IncidentDetailSerializer(IncidentListSerializer):
    release = ReleaseRefSerializer(read_only=True, allow_null=True)
    product_owner = UserSummarySerializer(read_only=True, allow_null=True)
    platform_owner = UserSummarySerializer(read_only=True, allow_null=True)
    prompt_owner = UserSummarySerializer(read_only=True, allow_null=True)
    opened_by = UserSummarySerializer(read_only=True)
    escalation_path = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="User ids, in order."
    )
    rollbacks = RollbackActionSerializer(many=True, read_only=True)
    has_postmortem = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="Transitions the requesting user may take now."
    )

    class Meta(IncidentListSerializer.Meta):
        fields = [
            *IncidentListSerializer.Meta.fields, "description", "release", "product_owner",
            "platform_owner", "prompt_owner", "escalation_path", "findings", "opened_by",
            "rollbacks", "has_postmortem", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_postmortem(self, incident: Incident) -> bool:
        return selectors.postmortem_of(incident) is not None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, incident: Incident) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [a.name for a in selectors.incident_actions(incident, auth.actor(request))]


class IncidentCreateSerializer(serializers.Serializer):
    scenario = VisibleRelatedField(visible=visible_scenarios, queryset=Scenario.objects.all())
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=SeverityChoices.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    impact_started_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        validators=[validate_past],
        help_text="Defaults to now.",
    )
    release = VisibleRelatedField(
        visible=visible_releases,
        queryset=Release.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    accept_interim_owner = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm opening when the scenario's RACI lacks owners: the platform owner "
        "becomes interim incident owner and the gap is recorded as a finding.",
    )


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    as_delegate = serializers.BooleanField(
        required=False, default=False, help_text="Admins only: act in place of the named person."
    )


class HandOverSerializer(TransitionSerializer):
    to = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class RollbackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RollbackAction.Kind.choices)
    release = VisibleRelatedField(visible=visible_releases, queryset=Release.objects.all())
    tool = serializers.PrimaryKeyRelatedField(
        queryset=Tool.objects.all(), required=False, allow_null=True, default=None
    )
    reason = serializers.CharField()
    as_delegate = serializers.BooleanField(required=False, default=False)


class ActionItemSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = ActionItem
        fields = ["id", "description", "owner", "due_on", "done"]
        read_only_fields = ["id"]
        extra_kwargs = {"due_on": {"validators": [validate_planned]}}


class PostmortemSerializer(RefuseReadOnly, serializers.ModelSerializer):
    action_items = ActionItemSerializer(many=True)
    author = UserSummarySerializer(read_only=True)
    what_went_well = serializers.CharField()
    as_delegate = serializers.BooleanField(required=False, default=False, write_only=True)

    class Meta:
        model = Postmortem
        fields = [
            "summary", "timeline", "contributing_factors", "what_went_well", "action_items",
            "author", "created_at", "updated_at", "as_delegate",
        ]  # fmt: skip
        read_only_fields = ["author", "created_at", "updated_at"]

    def validate_action_items(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not value:
            raise serializers.ValidationError(gettext("List at least one action item."))
        return value
