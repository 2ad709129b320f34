"""API shapes of the directory. A team is named by its slug everywhere in the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core import roles
from portal.core.models import Team, User
from portal.core.serializers import UserSummarySerializer
from scenarios.models import Scenario


class MemberSerializer(UserSummarySerializer):
    """A person with their roles; `is_active` is false once they have left."""

    roles = serializers.SerializerMethodField()

    class Meta(UserSummarySerializer.Meta):
        fields = [*UserSummarySerializer.Meta.fields, "is_active", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(roles.prefetched_role_names(user))


class PersonSerializer(MemberSerializer):
    teams: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Team slugs."
    )

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "teams"]


class TeamListSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, help_text="Active members.")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Team
        fields = ["slug", "name", "kind", "description", "member_count", "url"]


class TeamScenarioSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Scenario
        fields = ["id", "name", "status", "url"]


class TeamDetailSerializer(TeamListSerializer):
    """The team, its members with their roles, and its scenarios the reader may see."""

    members = serializers.SerializerMethodField()
    scenarios = serializers.SerializerMethodField()

    class Meta(TeamListSerializer.Meta):
        fields = [*TeamListSerializer.Meta.fields, "members", "scenarios"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, team: Team) -> Any:
        return MemberSerializer(self.context["members"], many=True).data

    @extend_schema_field(TeamScenarioSerializer(many=True))
    def get_scenarios(self, team: Team) -> Any:
        return TeamScenarioSerializer(self.context["scenarios"], many=True).data
