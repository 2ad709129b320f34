"""API shapes of scenarios, reviews and tools. Serializers parse; services write; none sets status."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.api_conventions import BlankChoices, RefuseReadOnly
from portal.core.models import Team, User
from portal.core.serializers import UserSummarySerializer
from scenarios import checklist, list_representation
from scenarios.golden_paths import selectors as golden_path
from scenarios.models import Scenario, ScenarioReview, Tool

WRITE_FIELDS = [f for f in Scenario.INTAKE_FIELDS if f != "template"]


class ToolSerializer(RefuseReadOnly, serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Tool
        fields = ["id", "name", "description", "owner", "stability", "allowed"]
        # Uniqueness is checked by the service (model validation), with the same message.
        extra_kwargs: ClassVar[dict[str, Any]] = {"name": {"validators": []}}


class ScenarioListSerializer(BlankChoices, serializers.ModelSerializer):
    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    product_owner = UserSummarySerializer(read_only=True, allow_null=True)
    platform_owner = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Scenario
        fields = [
            "id", "name", "team", "status", "primary_route", "hosting", "risk_level",
            "product_owner", "platform_owner", "created_at", "submitted_at", "decided_at",
            "onboarded_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Scenario) -> dict[str, Any]:
        """Built directly by `scenarios.list_representation` (a test holds it equal to what
        the declared fields produce)."""
        return list_representation.scenario_row(instance)


class EscalationStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    person = UserSummarySerializer()


class ScenarioReviewSerializer(serializers.ModelSerializer):
    reviewer = UserSummarySerializer(read_only=True)

    class Meta:
        model = ScenarioReview
        fields = ["id", "decision", "reviewer", "as_delegate", "comment", "checklist", "created_at"]
        read_only_fields = fields


class DeviationSerializer(serializers.Serializer):
    # `field` and `label` are also attributes of DRF's Field, which the type stubs declare.
    field = serializers.CharField(help_text="The governed intake field.")  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    template_value = serializers.CharField()
    scenario_value = serializers.CharField()
    message = serializers.CharField()


class GoldenPathSerializer(serializers.Serializer):
    on_golden_path = serializers.BooleanField(
        help_text="Started from a template and leaves it in no governed field."
    )
    deviations = DeviationSerializer(many=True)


class ScenarioSerializer(BlankChoices, serializers.ModelSerializer):
    """A scenario as read: every intake field, owners expanded, the escalation path in order."""

    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    template: serializers.StringRelatedField = serializers.StringRelatedField(
        read_only=True, allow_null=True
    )
    escalation_path = serializers.SerializerMethodField()
    allowed_tools = ToolSerializer(many=True, read_only=True)
    missing_for_submission = serializers.SerializerMethodField()
    reviews = ScenarioReviewSerializer(many=True, read_only=True)
    golden_path = serializers.SerializerMethodField()

    class Meta:
        model = Scenario
        fields = [
            "id", "team", "status", *WRITE_FIELDS, "template", "golden_path", "allowed_tools",
            "escalation_path", "missing_for_submission", "reviews", "created_by", "submitted_by",
            "reviewer", "created_at", "updated_at", "first_submitted_at", "submitted_at",
            "review_started_at", "decided_at", "onboarded_at", "retired_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name in (*Scenario.RACI_FIELDS, "created_by", "submitted_by", "reviewer"):
            fields[name] = UserSummarySerializer(read_only=True, allow_null=True)
        return fields

    @extend_schema_field(EscalationStepSerializer(many=True))
    def get_escalation_path(self, scenario: Scenario) -> list[dict[str, Any]]:
        return [
            {"position": step.position, "person": UserSummarySerializer(step.person).data}
            for step in scenario.escalation_steps.all()
        ]

    @extend_schema_field(GoldenPathSerializer)
    def get_golden_path(self, scenario: Scenario) -> dict[str, Any]:
        """Where the scenario leaves its template, as the scenario page shows it."""
        found = golden_path.deviations(scenario)
        return {
            "on_golden_path": scenario.template_id is not None and not found,
            "deviations": [dataclasses.asdict(deviation) for deviation in found],
        }

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_missing_for_submission(self, scenario: Scenario) -> dict[str, str]:
        return checklist.missing_for_submission(scenario)


class ScenarioWriteSerializer(RefuseReadOnly, serializers.ModelSerializer):
    """Intake input. Owners and escalation people are user ids; tools are registry ids."""

    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.filter(kind=Team.Kind.PRODUCT)
    )
    allowed_tools = serializers.PrimaryKeyRelatedField(
        queryset=Tool.objects.all(), many=True, required=False
    )
    escalation_path = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=User.objects.all()),
        required=False,
        max_length=Scenario.MAX_ESCALATION_STEPS,
        help_text="User ids in escalation order; each person once.",
    )

    class Meta:
        model = Scenario
        fields = ["team", *WRITE_FIELDS, "allowed_tools", "escalation_path"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            fields["team"].read_only = True
        return fields

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("team", None)
        tools = data.pop("allowed_tools", None)
        escalation = data.pop("escalation_path", None)
        return {"data": data, "tools": tools, "escalation": escalation}


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    as_delegate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Admins only: act in place of the person the rules name (audited).",
    )


class ChecklistAnswerSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=checklist.ITEM_KEYS)
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Sent to the product owner with the decision.")
    checklist = ChecklistAnswerSerializer(
        many=True, help_text="One answer per checklist item: " + ", ".join(checklist.ITEM_KEYS)
    )
    as_delegate = serializers.BooleanField(required=False, default=False)

    def answers(self) -> dict[str, Any]:
        return {
            a["item"]: {"passed": a["passed"], "note": a["note"]}
            for a in self.validated_data["checklist"]
        }


class DecisionRecordSerializer(serializers.Serializer):
    """The decision record as JSON: the same data the page and the Markdown export show."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.URLField()
    team = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    template = serializers.CharField(allow_null=True)
    dates = serializers.DictField(child=serializers.DateTimeField(allow_null=True))
    raci = serializers.ListField(child=serializers.DictField())
    escalation_path = serializers.ListField(child=serializers.DictField())
    contract = serializers.ListField(child=serializers.DictField())
    tools = serializers.ListField(child=serializers.DictField())
    checklist = serializers.ListField(child=serializers.DictField())
    reviews = serializers.ListField(child=serializers.DictField())
    open_exceptions = serializers.ListField(child=serializers.DictField())
    vacancies = serializers.ListField(
        child=serializers.DictField(),
        help_text="Open vacancies: places naming a person who has left, until handed over.",
    )
    aliases = serializers.ListField(child=serializers.DictField())
    missing_for_submission = serializers.ListField(child=serializers.CharField())
    amendments = serializers.ListField(
        child=serializers.DictField(), help_text="Amendments, newest first, with what changed."
    )
    timeline = serializers.ListField(child=serializers.DictField())


class MinorEditSerializer(serializers.ModelSerializer):
    """A live scenario's minor fields, edited directly (no review, audited)."""

    class Meta:
        model = Scenario
        fields = list(Scenario.MINOR_FIELDS)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                message = _("Not a minor field: propose an amendment to change it.")
                raise serializers.ValidationError(dict.fromkeys(unknown, [message]))
        return super().to_internal_value(data)
