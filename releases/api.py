"""The releases API under /api/v1/: drafts CRUD, one POST action per transition, sign-offs, and
the model aliases with their history. Views parse input and call the same services as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from portal.core.api import HISTORY_ACTION, history_page, history_schema
from portal.core.api_conventions import ERRORS, TRANSITION_ERRORS, transition_responses
from portal.core.auth import actor
from portal.core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from portal.core.serializer_cache import shown
from releases import selectors, services
from releases.models import ModelAlias, Release
from releases.serializers import (
    ModelAliasDetailSerializer,
    ModelAliasSerializer,
    ReleaseListSerializer,
    ReleaseRollbackSerializer,
    ReleaseSerializer,
    ReleaseTransitionSerializer,
    ReleaseWriteSerializer,
    SignOffRequestSerializer,
)

READ_ERRORS = {401: ERRORS[401], 403: ERRORS[403]}
DETAIL_ERRORS = {**READ_ERRORS, 404: ERRORS[404]}


class ReleaseFilterSet(django_filters.FilterSet):
    scenario = django_filters.NumberFilter(field_name="scenario_id")
    status = django_filters.ChoiceFilter(choices=Release.Status.choices)
    awaiting = django_filters.BooleanFilter(
        method="filter_awaiting", help_text="Only releases awaiting a sign-off from you."
    )

    class Meta:
        model = Release
        fields = ["scenario", "status", "awaiting"]

    def filter_awaiting(self, queryset: QuerySet[Release], name: str, value: bool) -> Any:
        if not value:
            return queryset
        return queryset.filter(selectors.awaiting_q(actor(self.request)))


@extend_schema_view(
    list=extend_schema(
        summary="Releases visible to you (drafts only of your team, or all for platform)",
        responses={200: ReleaseListSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One release with its eval gate, cost check and sign-offs",
        responses={200: ReleaseSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Draft a release (team members, approved or onboarded scenarios)",
        request=ReleaseWriteSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: ReleaseSerializer,
            400: ERRORS[400],
            **READ_ERRORS,
            **IDEMPOTENCY_RESPONSES,
        },
    ),
    update=extend_schema(
        summary="Edit a draft",
        request=ReleaseWriteSerializer,
        responses={200: ReleaseSerializer, **TRANSITION_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit some fields of a draft",
        request=ReleaseWriteSerializer,
        responses={200: ReleaseSerializer, **TRANSITION_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a draft that was never submitted",
        responses={204: None, **TRANSITION_ERRORS},
    ),
)
class ReleaseViewSet(viewsets.ModelViewSet):
    """Model releases: drafts, sign-offs, rollout, release and rollback."""

    filterset_class = ReleaseFilterSet
    search_fields = ["title", "model_name", "alias_name", "changelog"]
    ordering_fields = ["created_at", "submitted_at", "approved_at", "released_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Release]:
        if getattr(self, "swagger_fake_view", False):  # the schema reads model and filters
            return Release.objects.none()
        return selectors.release_list(actor(self.request))

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action in ("create", "update", "partial_update"):
            return ReleaseWriteSerializer
        return ReleaseListSerializer if self.action == "list" else ReleaseSerializer

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A pipeline's retry with the same Idempotency-Key returns the first draft."""
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.release_create(
            actor=actor(self.request),
            scenario=serializer.validated_data["scenario"],
            data=serializer.service_data(),
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.release_update(
            serializer.instance.pk, actor=actor(self.request), data=serializer.service_data()
        )

    def perform_destroy(self, instance: Release) -> None:
        services.release_delete(instance.pk, actor=actor(self.request))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(kwargs["pk"])

    def _detail(self, pk: Any) -> Response:
        """One release as `ReleaseSerializer` shows it, read through the one access function."""
        release = selectors.get_release_for(actor(self.request), pk)
        self.check_object_permissions(self.request, release)
        prefetch_related_objects([release], Prefetch("signoffs", selectors.signoffs_shown()))
        return Response(shown(ReleaseSerializer).to_representation(release))

    def _transition(
        self, request: Request, pk: Any, service: Callable[..., Any], *, comment: bool = False
    ) -> Response:
        release = selectors.get_release_for(actor(request), pk)
        body = ReleaseTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extra = {"comment": body.validated_data["comment"]} if comment else {}
        service(
            release.pk,
            actor=actor(request),
            as_delegate=body.validated_data["as_delegate"],
            **extra,
        )
        return self._detail(release.pk)

    @extend_schema(
        summary="Submit a draft for quality and cost sign-off (team members)",
        request=ReleaseTransitionSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.release_submit)

    @extend_schema(
        summary="Give or refuse one sign-off (only the scenario's named owner of that kind)",
        description=(
            "quality: the quality owner; refused (409, code eval_gate) while eval results are "
            "missing or below the threshold, unless an approved eval gate bypass exists. "
            "cost: the cost owner; approving over budget or target needs a comment (400). "
            "product_rollout / platform_rollout: the product / platform owner, once approved. "
            "A second approval of the same kind is a 409. The author never signs."
        ),
        request=SignOffRequestSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: Any = None) -> Response:
        release = selectors.get_release_for(actor(request), pk)
        body = SignOffRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.release_sign_off(release.pk, actor=actor(request), **body.validated_data)
        return self._detail(release.pk)

    @extend_schema(
        summary="Start rolling out an approved release (needs the rollout sign-offs)",
        request=ReleaseTransitionSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"], url_path="start-rollout")
    def start_rollout(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.release_start_rollout)

    @extend_schema(
        summary="Release: move the model alias here and supersede the previous release",
        request=ReleaseTransitionSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.release_release)

    @extend_schema(
        summary="Roll back a released release: the model alias returns to the previous one",
        request=ReleaseRollbackSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, pk: Any = None) -> Response:
        release = selectors.get_release_for(actor(request), pk)
        body = ReleaseRollbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.release_rollback(release.pk, actor=actor(request), **body.validated_data)
        return self._detail(release.pk)

    @history_schema("release")
    @action(detail=True, **HISTORY_ACTION)
    def history(self, request: Request, pk: Any = None) -> Response:
        return history_page(self, selectors.get_release_for(actor(request), pk))

    @extend_schema(
        summary="Take a rejected release back to draft as a new revision",
        request=ReleaseTransitionSerializer,
        responses=transition_responses(ReleaseSerializer),
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.release_revise, comment=True)


@extend_schema_view(
    list=extend_schema(
        summary="Gateway model aliases and the release each serves",
        responses={200: ModelAliasSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One model alias with its full history of moves",
        responses={200: ModelAliasDetailSerializer, **DETAIL_ERRORS},
    ),
)
class ModelAliasViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only: only releasing and rolling back move an alias."""

    def get_queryset(self) -> QuerySet[ModelAlias]:
        return selectors.alias_list()

    def get_serializer_class(self) -> type[BaseSerializer]:
        return ModelAliasDetailSerializer if self.action == "retrieve" else ModelAliasSerializer
