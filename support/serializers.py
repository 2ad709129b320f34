from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.core.api_conventions import RefuseReadOnly
from portal.core.serializers import VisibleRelatedField
from scenarios.models import Scenario
from scenarios.selectors import visible_scenarios
from support.models import SupportComment, SupportRequest


class SupportCommentSerializer(serializers.ModelSerializer):
    author: Any = serializers.StringRelatedField()

    class Meta:
        model = SupportComment
        fields = ["id", "author", "body", "is_answer", "created_at"]
        read_only_fields = fields


class SupportListQuerySerializer(serializers.Serializer):
    """The list's filters: a value outside a filter's choices is refused, not ignored."""

    status = serializers.ChoiceField(
        SupportRequest.Status.choices, required=False, allow_blank=True
    )
    category = serializers.ChoiceField(
        SupportRequest.Category.choices, required=False, allow_blank=True
    )
    team = serializers.CharField(required=False, allow_blank=True)
    scenario = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    mine = serializers.BooleanField(required=False)
    queue = serializers.BooleanField(required=False)


class SupportRequestSerializer(serializers.ModelSerializer):
    requester: Any = serializers.StringRelatedField()
    team: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    first_answered_by: Any = serializers.StringRelatedField(allow_null=True)
    time_to_first_answer_seconds = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = SupportRequest
        fields = [
            "id", "title", "description", "category", "scenario", "team", "requester", "status",
            "opened_at", "first_answered_at", "first_answered_by", "time_to_first_answer_seconds",
            "last_answered_at", "closed_at", "url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_time_to_first_answer_seconds(self, obj: SupportRequest) -> float | None:
        delta = obj.time_to_first_answer
        return None if delta is None else delta.total_seconds()


class SupportRequestDetailSerializer(SupportRequestSerializer):
    comments = SupportCommentSerializer(many=True, read_only=True)

    class Meta(SupportRequestSerializer.Meta):
        fields = [*SupportRequestSerializer.Meta.fields, "comments"]
        read_only_fields = fields


class SupportRequestWriteSerializer(RefuseReadOnly, serializers.Serializer):
    """What the requester writes; never the state or the answer times."""

    class Meta:
        model = SupportRequest  # its other fields are read-only here

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=SupportRequest.Category.choices)
    scenario = VisibleRelatedField(
        visible=visible_scenarios,
        queryset=Scenario.objects.all(),
        required=False,
        allow_null=True,
    )


class BodySerializer(serializers.Serializer):
    body = serializers.CharField()


class AnswerSerializer(BodySerializer):
    as_delegate = serializers.BooleanField(default=False)


class ActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    as_delegate = serializers.BooleanField(default=False)
