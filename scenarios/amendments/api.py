"""The amendments API under /api/v1/amendments/: open, edit, one POST action per transition,
the diff and the history. Views parse and call the same services as the HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.core.api import HISTORY_ACTION, history_page, history_schema
from portal.core.api_conventions import (
    ERRORS,
    TRANSITION_ERRORS,
    BoundedPageNumberPagination,
    transition_responses,
)
from portal.core.auth import actor
from scenarios.amendments import selectors, services
from scenarios.amendments.serializers import (
    AmendmentCreateSerializer,
    AmendmentListSerializer,
    AmendmentSerializer,
    AmendmentUpdateSerializer,
    ChangeSerializer,
)
from scenarios.models import Amendment
from scenarios.serializers import CommentSerializer


class AmendmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Amendment.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Amendment.Kind.choices)
    scenario = django_filters.NumberFilter(field_name="scenario_id", help_text="Scenario id.")

    class Meta:
        model = Amendment
        fields = ["status", "kind", "scenario"]


def _detail(request: Request, pk: Any, code: int = status.HTTP_200_OK) -> Response:
    amendment = selectors.get_amendment_for(actor(request), pk)
    return Response(AmendmentSerializer(amendment).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="Amendments of live scenarios",
        responses={200: AmendmentListSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One amendment, with its diff and the checklist of the result",
        responses={200: AmendmentSerializer, **ERRORS},
    ),
)
class AmendmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Amendments of approved or onboarded scenarios: proposed values, reviewed by the
    platform, applied on approval."""

    serializer_class = AmendmentSerializer
    filterset_class = AmendmentFilterSet
    pagination_class = BoundedPageNumberPagination
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Amendment]:
        if getattr(self, "swagger_fake_view", False):  # the schema reads model and filters
            return Amendment.objects.none()
        return selectors.amendment_list(actor(self.request))

    def get_serializer_class(self) -> Any:
        return AmendmentListSerializer if self.action == "list" else AmendmentSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _detail(request, kwargs["pk"])

    @extend_schema(
        summary="Open a draft amendment of a live scenario (409: it already has an open one)",
        request=AmendmentCreateSerializer,
        responses={201: AmendmentSerializer, **TRANSITION_ERRORS},
    )
    def create(self, request: Request) -> Response:
        body = AmendmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        amendment = services.amendment_create(
            actor=actor(request),
            scenario=body.validated_data["scenario"],
            kind=body.validated_data["kind"],
            summary=body.validated_data["summary"],
            values=_values(body.validated_data.get("values")),
        )
        return _detail(request, amendment.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the proposal of a draft (a migration's side edits only its own part)",
        request=AmendmentUpdateSerializer,
        responses={200: AmendmentSerializer, **TRANSITION_ERRORS},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        amendment = selectors.get_amendment_for(actor(request), pk)
        body = AmendmentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.amendment_update(
            amendment.pk,
            actor=actor(request),
            summary=body.validated_data.get("summary"),
            values=_values(body.validated_data.get("values")),
        )
        return _detail(request, amendment.pk)

    def _transition(self, request: Request, pk: Any, service: Callable[..., Any]) -> Response:
        amendment = selectors.get_amendment_for(actor(request), pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(
            amendment.pk,
            actor=actor(request),
            comment=body.validated_data["comment"],
            as_delegate=body.validated_data["as_delegate"],
        )
        return _detail(request, amendment.pk)

    @extend_schema(
        summary="Submit for platform review (refused with every missing item named)",
        request=CommentSerializer,
        responses=transition_responses(AmendmentSerializer),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.amendment_submit)

    @extend_schema(
        summary="Approve and apply it to the scenario (platform, not the requester or an owner)",
        request=CommentSerializer,
        responses=transition_responses(AmendmentSerializer),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.amendment_approve)

    @extend_schema(
        summary="Send it back for changes, with a comment",
        request=CommentSerializer,
        responses=transition_responses(AmendmentSerializer),
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.amendment_request_changes)

    @extend_schema(
        summary="Reject it, with a comment; the scenario stays as it is",
        request=CommentSerializer,
        responses=transition_responses(AmendmentSerializer),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.amendment_reject)

    @extend_schema(
        summary="Withdraw an undecided amendment",
        request=CommentSerializer,
        responses=transition_responses(AmendmentSerializer),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.amendment_withdraw)

    @extend_schema(
        summary="The field-by-field diff: the scenario's current values against the proposed",
        responses={200: ChangeSerializer(many=True), **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def diff(self, request: Request, pk: Any = None) -> Response:
        amendment = selectors.get_amendment_for(actor(request), pk)
        return Response(ChangeSerializer(selectors.changes(amendment), many=True).data)

    @history_schema("amendment")
    @action(detail=True, **HISTORY_ACTION)
    def history(self, request: Request, pk: Any = None) -> Response:
        return history_page(self, selectors.get_amendment_for(actor(request), pk))


def _values(data: Any) -> dict[str, Any]:
    if not data:
        return {}
    parsed = dict(data)
    if "discovery" in parsed:
        parsed["discovery"] = [dict(row) for row in parsed["discovery"]]
    return parsed
