"""API shapes of releases, sign-offs and model aliases. None writes the status."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.api_conventions import RefuseReadOnly
from portal.core.serializer_cache import shown
from portal.core.serializers import VisibleRelatedField
from releases import evidence, gates, selectors
from releases.models import AliasMove, ModelAlias, Release, SignOff
from scenarios.models import Scenario
from scenarios.selectors import visible_scenarios


class ReleasePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


class SignOffSerializer(serializers.ModelSerializer):
    actor = ReleasePersonSerializer(
        allow_null=True, help_text="Null: given by the system on the fast path."
    )
    counts = serializers.SerializerMethodField(
        help_text="False for sign-offs of an earlier revision: kept as history, no longer counted."
    )

    class Meta:
        model = SignOff
        fields = (
            "id", "revision", "kind", "decision", "actor", "as_delegate", "comment",
            "exception", "created_at", "counts",
        )  # fmt: skip

    def get_counts(self, obj: SignOff) -> bool:
        return obj.revision == obj.release.revision


LIST_FIELDS: tuple[str, ...] = (
    "id", "url", "scenario", "scenario_name", "title", "change_type", "model_name",
    "model_version", "alias_name", "prompt_family", "prompt_version", "runtime",
    "runtime_version", "status", "revision", "author", "fast_path", "previous_release",
    "created_at", "submitted_at", "approved_at", "rollout_started_at", "released_at", "ended_at",
)  # fmt: skip


class ReleaseListSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    scenario_name = serializers.CharField(source="scenario.name", read_only=True)
    author = ReleasePersonSerializer(read_only=True)

    class Meta:
        model = Release
        fields: tuple[str, ...] = LIST_FIELDS
        read_only_fields: tuple[str, ...] = fields


class EvalGateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["passed", "missing", "no_threshold", "below"])
    passed_on_merit = serializers.BooleanField()
    allows_approval = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    threshold = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    bypass_exception = serializers.IntegerField(source="bypass.pk", allow_null=True, default=None)
    message = serializers.CharField()


class CostCheckSerializer(serializers.Serializer):
    cost_per_request = serializers.DecimalField(max_digits=10, decimal_places=6, allow_null=True)
    accepted_outcome_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True
    )
    cost_per_outcome = serializers.DecimalField(max_digits=16, decimal_places=6, allow_null=True)
    target_cost_per_outcome = serializers.DecimalField(
        max_digits=10, decimal_places=4, allow_null=True
    )
    expected_volume = serializers.IntegerField(allow_null=True)
    monthly_projection = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    monthly_budget = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    over_budget = serializers.BooleanField()
    over_target = serializers.BooleanField()
    within_budget = serializers.BooleanField()
    needs_comment = serializers.BooleanField()


class EvalEvidenceSerializer(serializers.Serializer):
    # The output names `source` and `label` shadow Field attributes; DRF's metaclass takes
    # declared fields out of the class, so only the type checker minds.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["mlflow", "self_reported"],
        help_text="mlflow: read from the eval run on the eval server; else typed by the team.",
    )
    label = serializers.CharField(  # type: ignore[assignment]
        help_text='"verified from MLflow run <id>" or "self-reported".'
    )
    run_id = serializers.CharField(source="reading.run_id", default=None, allow_null=True)
    server = serializers.CharField(source="reading.server", default=None, allow_null=True)
    stage = serializers.CharField(
        source="reading.stage", default=None, allow_null=True, help_text="When it was read."
    )
    read_at = serializers.DateTimeField(source="reading.read_at", default=None, allow_null=True)
    metrics = serializers.DictField(
        child=serializers.FloatField(), source="reading.metrics", default=None, allow_null=True
    )
    dataset = serializers.CharField(source="reading.dataset", default=None, allow_null=True)


class ReleaseSerializer(ReleaseListSerializer):
    """One release with its eval gate, eval evidence, cost check and every sign-off."""

    eval_gate = serializers.SerializerMethodField()
    eval_evidence = serializers.SerializerMethodField()
    cost = serializers.SerializerMethodField()
    signoffs = SignOffSerializer(many=True, read_only=True)
    missing_rollout_signoffs = serializers.SerializerMethodField()

    class Meta(ReleaseListSerializer.Meta):
        fields = (
            *LIST_FIELDS, "tool_changes", "changelog", "eval_run_ref", "eval_dataset",
            "eval_score", "eval_coverage", "cost_per_request", "accepted_outcome_rate",
            "eval_verified", "eval_evidence", "eval_gate", "cost", "signoffs",
            "missing_rollout_signoffs",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(EvalGateSerializer)
    def get_eval_gate(self, obj: Release) -> Any:
        return shown(EvalGateSerializer).to_representation(gates.eval_gate(obj))

    @extend_schema_field(EvalEvidenceSerializer)
    def get_eval_evidence(self, obj: Release) -> Any:
        return shown(EvalEvidenceSerializer).to_representation(evidence.evidence_of(obj))

    @extend_schema_field(CostCheckSerializer)
    def get_cost(self, obj: Release) -> Any:
        return shown(CostCheckSerializer).to_representation(gates.cost_check(obj))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_rollout_signoffs(self, obj: Release) -> list[str]:
        return [str(kind) for kind in gates.missing_rollout_signoffs(obj)]


class ReleaseWriteSerializer(RefuseReadOnly, serializers.ModelSerializer):
    """Create or edit a draft. The scenario is set on create and fixed afterwards."""

    scenario = VisibleRelatedField(visible=visible_scenarios, queryset=Scenario.objects.all())

    class Meta:
        model = Release
        fields = ("scenario", *Release.EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["scenario"].read_only = True

    def to_representation(self, instance: Release) -> Any:
        return ReleaseSerializer(instance, context=self.context).data

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in Release.EDITABLE_FIELDS}


class ReleaseTransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    as_delegate = serializers.BooleanField(
        required=False, default=False, help_text="Admins only: act in the named person's place."
    )


class ReleaseRollbackSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the release is rolled back.")
    as_delegate = serializers.BooleanField(required=False, default=False)


class SignOffRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SignOff.Kind.choices)
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject, and to approve a cost estimate over budget or target.",
    )
    as_delegate = serializers.BooleanField(
        required=False, default=False, help_text="Admins only: sign in the named owner's place."
    )


class AliasMoveSerializer(serializers.ModelSerializer):
    moved_by = ReleasePersonSerializer(allow_null=True)
    release_title = serializers.CharField(source="release.__str__")

    class Meta:
        model = AliasMove
        fields = ("id", "release", "release_title", "moved_by", "reason", "started_at", "ended_at")


class ModelAliasSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    scenario_name = serializers.CharField(source="scenario.name", read_only=True)

    class Meta:
        model = ModelAlias
        fields: tuple[str, ...] = (
            "id", "url", "name", "scenario", "scenario_name", "current_release", "created_at",
        )  # fmt: skip
        read_only_fields: tuple[str, ...] = fields


class ModelAliasDetailSerializer(ModelAliasSerializer):
    history = serializers.SerializerMethodField()

    class Meta(ModelAliasSerializer.Meta):
        fields = (*ModelAliasSerializer.Meta.fields, "history")
        read_only_fields = fields

    @extend_schema_field(AliasMoveSerializer(many=True))
    def get_history(self, obj: ModelAlias) -> Any:
        return AliasMoveSerializer(selectors.alias_moves(obj), many=True).data
