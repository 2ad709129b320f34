from __future__ import annotations

from rest_framework import serializers

from portal.core import roles
from portal.core.models import AuditEntry, Team, User


class UserSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email"]


class MeSerializer(UserSummarySerializer):
    roles = serializers.SerializerMethodField()
    teams: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta(UserSummarySerializer.Meta):
        fields = [*UserSummarySerializer.Meta.fields, "roles", "teams"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(roles.role_names(user))


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "kind"]


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)  # None: a periodic task

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "transition",
            "source",
            "target",
            "actor",
            "as_delegate",
            "comment",
            "created_at",
        ]
