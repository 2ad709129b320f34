"""JSON shapes of the metrics and the scorecard (read-only)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from dashboard import scorecard


class WindowSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    previous_start = serializers.DateTimeField()
    team = serializers.SerializerMethodField()

    def get_team(self, window: Any) -> str | None:
        return window.team.slug if window.team is not None else None


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.ChoiceField(choices=["days", "hours", "percent", "count", "per_week"])
    value = serializers.FloatField(allow_null=True, help_text="null: no data in the window.")
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="value − previous.")
    windowed = serializers.BooleanField(help_text="false: a state now, no previous window.")
    items_url = serializers.SerializerMethodField()

    def get_items_url(self, figure: Any) -> str | None:
        if not figure.drill:
            return None
        path = reverse("dashboard:drill-down", args=[figure.drill])
        return f"{path}?{self.context.get('query', '')}"


class PointSerializer(serializers.Serializer):
    week_end = serializers.DateTimeField()
    value = serializers.FloatField(allow_null=True)


class SeverityRowSerializer(serializers.Serializer):
    severity = serializers.CharField()
    count = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    definition = serializers.CharField()
    better = serializers.ChoiceField(choices=["lower", "higher"])
    unit = serializers.CharField(source="headline.unit")
    value = serializers.FloatField(source="headline.value", allow_null=True)
    previous = serializers.FloatField(source="headline.previous", allow_null=True)
    change = serializers.FloatField(source="headline.change", allow_null=True)
    direction = serializers.CharField()
    figures = FigureSerializer(many=True)
    series = PointSerializer(many=True, help_text="Weekly values of the headline, oldest first.")
    breakdown = SeverityRowSerializer(many=True, help_text="Per severity (incidents only).")


class MetricsSerializer(serializers.Serializer):
    window = WindowSerializer()
    metrics = MetricSerializer(many=True)


class ScorecardItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=list(scorecard.RESULTS))
    reason = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    scenario = serializers.IntegerField(source="scenario.pk")
    name = serializers.CharField(source="scenario.name")
    team = serializers.CharField(source="scenario.team.slug")
    status = serializers.CharField(source="scenario.status")
    url = serializers.CharField(source="scenario.get_absolute_url")
    passed = serializers.IntegerField()
    applicable = serializers.IntegerField()
    score = serializers.FloatField(help_text="Percent of the applicable items that pass.")
    items = ScorecardItemSerializer(many=True)


class PassRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    applicable = serializers.IntegerField()
    passed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ScorecardPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    pass_rates = PassRateSerializer(many=True, help_text="Organisation-wide, per item.")
    results = ScorecardSerializer(many=True)
