from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from rest_framework import serializers

from portal.core import roles
from portal.core.audit import object_type
from portal.core.models import AuditEntry, Team, User


class UserSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email"]


def person_summary(user: User | None) -> dict[str, Any] | None:
    """`UserSummarySerializer`'s output for one person (or None), built directly for the rows
    and records that name many people (`tests/core/test_person_summary.py` holds them equal)."""
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user), "email": user.email}


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


def _unknown(name: Any, *, with_id: bool = False) -> str:
    if with_id:
        return gettext("Unknown %(name)s: give its id (a number).") % {"name": name}
    return gettext("Unknown %(name)s.") % {"name": name}


_lazy_unknown = lazy(_unknown, str)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A reference by id in a request body, resolved through `visible(user)`: the same rule as
    the object's detail page. An object the user may not see answers exactly as a missing one,
    and no message names it. Serializers using it need the request in their context."""

    def __init__(self, *, visible: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)
        name = self.queryset.model._meta.verbose_name  # type: ignore[union-attr]
        # Fields are built when their serializer class is, so the words are looked up later,
        # in the language of the request that fails.
        self.error_messages["does_not_exist"] = _lazy_unknown(name)
        self.error_messages["incorrect_type"] = _lazy_unknown(name, with_id=True)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        return self.visible(getattr(request, "user", None))


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
