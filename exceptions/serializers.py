"""API shapes of the register. Output is read-only; inputs feed the services, never `status`
or a decided field, so nothing decided can be rewritten through the API."""

from __future__ import annotations

from rest_framework import serializers

from exceptions.models import PlatformException
from exceptions.selectors import release_model, requestable_releases
from portal.core.api_conventions import BlankChoices
from portal.core.models import Team
from portal.core.serializers import (
    AuditEntrySerializer,
    UserSummarySerializer,
    VisibleRelatedField,
)
from portal.core.validators import validate_planned
from scenarios.models import Scenario
from scenarios.selectors import visible_scenarios

Kind = PlatformException.Kind
Risk = PlatformException.Risk


class ExceptionSerializer(BlankChoices, serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    scenario_name = serializers.CharField(
        source="scenario.name", read_only=True, default=None, allow_null=True
    )
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Team slug."
    )
    team_name = serializers.CharField(
        source="team.name", read_only=True, default=None, allow_null=True
    )
    requester = UserSummarySerializer(read_only=True, allow_null=True)
    approver = UserSummarySerializer(read_only=True, allow_null=True)
    detected_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_undocumented = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = PlatformException
        fields = [
            "id", "url", "title", "kind", "kind_label", "other_description", "scenario",
            "scenario_name", "release", "release_revision", "team", "team_name", "status", "status_label", "is_undocumented",
            "justification", "risk", "risk_reason", "compensating_controls", "detection_note",
            "requester", "detected_by", "approver", "expires_on", "decision_comment", "extends",
            "end_reason", "created_at", "requested_at", "decided_at", "ended_at",
        ]  # fmt: skip
        read_only_fields = fields


class ExceptionDetailSerializer(ExceptionSerializer):
    history = serializers.SerializerMethodField()

    class Meta(ExceptionSerializer.Meta):
        fields = [*ExceptionSerializer.Meta.fields, "history"]
        read_only_fields = fields

    def get_history(self, exception: PlatformException) -> list[dict]:
        entries = self.context.get("history", [])
        return AuditEntrySerializer(entries, many=True).data  # type: ignore[return-value]


class _ScopeInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    other_description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )
    scenario = VisibleRelatedField(
        visible=visible_scenarios,
        queryset=Scenario.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    team = serializers.SlugRelatedField(
        queryset=Team.objects.all(),
        slug_field="slug",
        required=False,
        allow_null=True,
        default=None,
        help_text="Team slug (for a platform-wide exception).",
    )
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ExceptionRequestInput(_ScopeInput):
    release = VisibleRelatedField(
        visible=requestable_releases,
        queryset=release_model().objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for an eval gate bypass: the id of the draft or submitted release "
        "it covers. The bypass covers that release at its current revision only.",
    )
    justification = serializers.CharField()
    risk = serializers.ChoiceField(choices=Risk.choices)
    risk_reason = serializers.CharField()
    compensating_controls = serializers.CharField()
    extends = serializers.PrimaryKeyRelatedField(
        queryset=PlatformException.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The approved or expired exception this request extends.",
    )


class ExceptionDetectInput(_ScopeInput):
    detection_note = serializers.CharField(help_text="What was found, where and when.")
    risk = serializers.ChoiceField(
        choices=Risk.choices, required=False, allow_blank=True, default=""
    )


class JustifyInput(serializers.Serializer):
    justification = serializers.CharField()
    risk = serializers.ChoiceField(choices=Risk.choices)
    risk_reason = serializers.CharField()
    compensating_controls = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class _DelegateInput(serializers.Serializer):
    as_delegate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="An admin acting in place of the person the rules name; the audit trail says so.",
    )


class ApproveInput(_DelegateInput):
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[validate_planned],
        help_text="After today, at most 180 days away. Default: 30 days from today.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectInput(_DelegateInput):
    comment = serializers.CharField(help_text="Why the request is rejected.")


class RevokeInput(_DelegateInput):
    reason = serializers.CharField(help_text="Why the approval is revoked.")


class CloseInput(_DelegateInput):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
