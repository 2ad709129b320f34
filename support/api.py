"""The support requests API under /api/v1/support-requests/: CRUD plus one POST per action.
Views parse and call the same services as the HTML pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.core.api_conventions import ERRORS, transition_responses
from portal.core.auth import actor
from support import selectors, services
from support.models import SupportRequest
from support.serializers import (
    ActionSerializer,
    AnswerSerializer,
    BodySerializer,
    SupportCommentSerializer,
    SupportListQuerySerializer,
    SupportRequestDetailSerializer,
    SupportRequestSerializer,
    SupportRequestWriteSerializer,
)

WRITE_ERRORS = {400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}
LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=SupportRequest.Status.values),
    OpenApiParameter("category", OpenApiTypes.STR, enum=SupportRequest.Category.values),
    OpenApiParameter("team", OpenApiTypes.STR, description="Team slug."),
    OpenApiParameter("scenario", OpenApiTypes.INT),
    OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the requests you opened."),
    OpenApiParameter("queue", OpenApiTypes.BOOL, description="The platform's queue (open, oldest first)."),
]  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="Support requests (everyone signed in reads all)",
        parameters=LIST_PARAMETERS,
        responses={200: SupportRequestSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One support request with its thread",
        responses={200: SupportRequestDetailSerializer, **ERRORS},
    ),
)
class SupportRequestViewSet(viewsets.GenericViewSet):
    """Questions product teams bring to the platform; the platform answers and closes."""

    serializer_class = SupportRequestSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SupportRequest]:
        query = SupportListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params.get("queue"):
            return selectors.queue(actor(self.request))
        return selectors.filtered(actor(self.request), {**params, "mine": params.get("mine")})

    def _detail(self, request: Request, pk: Any, code: int = status.HTTP_200_OK) -> Response:
        support = selectors.get_request(actor(request), pk)
        return Response(SupportRequestDetailSerializer(support).data, status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SupportRequestSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return self._detail(request, pk)

    @extend_schema(
        summary="Ask the platform for help",
        request=SupportRequestWriteSerializer,
        responses={201: SupportRequestDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        body = SupportRequestWriteSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        support = services.support_open(actor=actor(request), **body.validated_data)
        return self._detail(request, support.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct your request before anyone answers it",
        request=SupportRequestWriteSerializer,
        responses={200: SupportRequestDetailSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        support = selectors.get_request(actor(request), pk)
        body = SupportRequestWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        body.is_valid(raise_exception=True)
        services.support_update(support.pk, actor=actor(request), **body.validated_data)
        return self._detail(request, pk)

    @extend_schema(
        summary="Withdraw a request nobody has answered yet",
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, pk: Any = None) -> Response:
        support = selectors.get_request(actor(request), pk)
        services.support_delete(support.pk, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add a comment to the thread (anyone signed in)",
        request=BodySerializer,
        responses={201: SupportCommentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def comments(self, request: Request, pk: Any = None) -> Response:
        support = selectors.get_request(actor(request), pk)
        body = BodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.support_comment(
            support.pk, actor=actor(request), body=body.validated_data["body"]
        )
        return Response(SupportCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer an open request (platform); records the first answer time",
        request=AnswerSerializer,
        responses=transition_responses(SupportRequestDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        support = selectors.get_request(actor(request), pk)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.support_answer(support.pk, actor=actor(request), **body.validated_data)
        return self._detail(request, pk)

    def _act(self, request: Request, pk: Any, service: Any) -> Response:
        support = selectors.get_request(actor(request), pk)
        body = ActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(support.pk, actor=actor(request), **body.validated_data)
        return self._detail(request, pk)

    @extend_schema(
        summary="Close the request (platform)",
        request=ActionSerializer,
        responses=transition_responses(SupportRequestDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, pk, services.support_close)

    @extend_schema(
        summary="Reopen an answered or closed request (the requester or platform)",
        request=ActionSerializer,
        responses={**transition_responses(SupportRequestDetailSerializer)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, pk, services.support_reopen)
