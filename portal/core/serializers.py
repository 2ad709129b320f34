from __future__ import annotations

from rest_framework import serializers

from portal.core import roles
from portal.core.audit import object_type
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


class AuditTrailEntrySerializer(AuditEntrySerializer):
    """An audit row with the object it is about, for the whole trail."""

    object_type = serializers.SerializerMethodField(help_text="`app_label.model`.")

    class Meta(AuditEntrySerializer.Meta):
        fields = [
            "id", "object_type", "object_id", "object_repr", "transition", "source", "target",
            "actor", "as_delegate", "comment", "request_id", "created_at",
        ]  # fmt: skip

    def get_object_type(self, entry: AuditEntry) -> str:
        return object_type(entry.content_type)
