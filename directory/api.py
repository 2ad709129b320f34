"""The directory API: people and teams, read-only, for everyone signed in."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from directory import policies, selectors
from directory.serializers import PersonSerializer, TeamDetailSerializer, TeamListSerializer
from portal.core.api_conventions import ERRORS
from portal.core.auth import actor
from portal.core.models import User

# A list answers 404 for a page past its end, as every paginated list does.
READ_ERRORS = ERRORS


class PersonFilterSet(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="teams__slug", help_text="Team slug.")
    # A choice rather than a boolean filter, which would ignore a value it cannot read.
    is_active = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="false: only people who have left (deactivated).",
    )

    class Meta:
        model = User
        fields = ["team", "is_active"]


class DirectoryViewSet(viewsets.GenericViewSet):
    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not policies.can_view_directory(actor(request)):
            raise PermissionDenied(gettext("Only signed-in users read the directory."))


@extend_schema_view(
    list=extend_schema(
        summary="People: roles and teams; deactivated people are listed with is_active false",
        responses={200: PersonSerializer(many=True), **READ_ERRORS},
    ),
)
class PersonViewSet(mixins.ListModelMixin, DirectoryViewSet):
    """Everyone who has an account, active first."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "first_name", "last_name"]

    def get_queryset(self) -> QuerySet[User]:
        return selectors.people()


@extend_schema_view(
    list=extend_schema(
        summary="Teams, with how many active members each has",
        responses={200: TeamListSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One team: its members with their roles and its scenarios visible to you",
        responses={200: TeamDetailSerializer, **ERRORS},
    ),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DirectoryViewSet):
    """Product teams and the platform team, named by slug."""

    serializer_class = TeamListSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    filterset_fields = ["kind"]
    search_fields = ["name", "slug", "description"]
    ordering_fields = ["name"]

    def get_queryset(self) -> Any:
        return selectors.teams()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = selectors.team(kwargs["slug"])
        context = {
            **self.get_serializer_context(),
            "members": selectors.team_members(team),
            "scenarios": selectors.team_scenarios(actor(request), team),
        }
        return Response(TeamDetailSerializer(team, context=context).data)
