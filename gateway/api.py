"""The gateway API under /api/v1/gateway/ and /api/v1/playground/: the desired state a GitOps
job or sidecar pulls (ETag, 304), its report of what it applied, moves, playground runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gateway import policies, selectors, services
from gateway.models import GatewayMove, PlaygroundRun
from gateway.serializers import (
    DesiredStateSerializer,
    GatewayMoveSerializer,
    MoveListQuerySerializer,
    PlaygroundRunSerializer,
    PlaygroundRunWriteSerializer,
    ReportResultSerializer,
    ReportSerializer,
)
from portal.core.api_conventions import ERRORS, TRANSITION_ERRORS
from portal.core.auth import actor

READ_ERRORS = {401: ERRORS[401], 403: ERRORS[403]}
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag of the state you hold: 304 when it is still current.",
)  # fmt: skip


class DesiredStateView(APIView):
    """What every model alias must route to: as a list and in the shape of LiteLLM's
    `router_settings.model_group_alias`. Send the last ETag as If-None-Match: 304 while nothing
    moved."""

    @extend_schema(
        summary="The gateway's desired state (model aliases)",
        parameters=[IF_NONE_MATCH],
        responses={200: DesiredStateSerializer,
                   304: OpenApiResponse(description="Not modified since the ETag you sent."),
                   **READ_ERRORS},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        if not policies.can_read_desired_state(actor(request)):
            raise exceptions.PermissionDenied(_("You may not read the gateway's desired state."))
        body = selectors.desired_state()
        etag = selectors.etag_of(body)
        sent = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
        if etag in sent or "*" in sent:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(DesiredStateSerializer(body).data, headers={"ETag": etag})


class ConnectorReportView(APIView):
    """A gateway (its sidecar, with a platform token) reports the routing it serves now and
    the aliases it failed to apply; pending moves it matches become applied or failed."""

    @extend_schema(
        summary="Report what the gateway applied",
        request=ReportSerializer,
        responses={200: ReportResultSerializer, **TRANSITION_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        connector = selectors.get_connector(pk)
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.moves_report(
            connector.pk, actor=actor(request), aliases=body.validated_data["aliases"],
            errors=body.validated_data["failed"],
        )  # fmt: skip
        return Response(ReportResultSerializer(done).data)


class GatewayMoveViewSet(viewsets.ReadOnlyModelViewSet):
    """Alias moves as each gateway applies them: pending, applied or failed."""

    serializer_class = GatewayMoveSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[GatewayMove]:
        query = MoveListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.moves_list(status=query.validated_data.get("status", ""))

    @extend_schema(
        summary="Gateway moves",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=GatewayMove.Status.values)],
        responses={200: GatewayMoveSerializer(many=True), 400: ERRORS[400], **READ_ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One gateway move", responses={200: GatewayMoveSerializer, **ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(GatewayMoveSerializer(selectors.get_move(kwargs["pk"])).data)

    @extend_schema(
        summary="Apply a failed move again (platform)",
        request=None,
        responses={200: GatewayMoveSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: Any = None) -> Response:
        move = selectors.get_move(pk)
        services.move_retry(move.pk, actor=actor(request))
        return Response(GatewayMoveSerializer(selectors.get_move(pk)).data)


class PlaygroundRunViewSet(viewsets.GenericViewSet):
    """Your playground runs: a prompt tried on a scenario's model alias through the gateway."""

    serializer_class = PlaygroundRunSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PlaygroundRun]:
        return selectors.runs_of(actor(self.request))

    @extend_schema(
        summary="Your playground runs (newest first)",
        responses={200: PlaygroundRunSerializer(many=True), **READ_ERRORS},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PlaygroundRunSerializer(page, many=True).data)

    @extend_schema(summary="One of your playground runs",
                   responses={200: PlaygroundRunSerializer, **ERRORS})  # fmt: skip
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(PlaygroundRunSerializer(selectors.get_run(actor(request), pk)).data)

    @extend_schema(
        summary="Try a prompt on the scenario's model alias (team members, platform)",
        description="The run is recorded whatever the gateway answers; `error` says what "
        "went wrong when it did not answer.",
        request=PlaygroundRunWriteSerializer,
        responses={201: PlaygroundRunSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        body = PlaygroundRunWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.playground_run(
            body.validated_data["scenario"], actor=actor(request),
            prompt=body.validated_data["prompt"], alias_name=body.validated_data["alias"],
        )  # fmt: skip
        return Response(PlaygroundRunSerializer(run).data, status=status.HTTP_201_CREATED)
