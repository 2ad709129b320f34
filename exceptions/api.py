"""The register's API under /api/v1/exceptions/: thin views around the same services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from exceptions import exports, policies, selectors, services
from exceptions import serializers as s
from exceptions.filters import ExceptionFilter
from portal.core.api_conventions import ERRORS, transition_responses
from portal.core.auth import actor
from portal.core.filter_backend import FilterBackend

CREATED = {201: s.ExceptionSerializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="The exception register, filtered",
        # 400: a filter it cannot read (a team slug that does not exist); 404: past the last page.
        responses={200: s.ExceptionSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One exception with its transition history",
        responses={200: s.ExceptionDetailSerializer, **ERRORS},
    ),
)
class ExceptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Everyone signed in reads the register; writes follow exceptions.policies."""

    queryset = selectors.exception_queryset()
    serializer_class = s.ExceptionSerializer
    filter_backends = [FilterBackend, filters.OrderingFilter]
    filterset_class = ExceptionFilter
    ordering_fields = ["created_at", "expires_on", "status", "risk"]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exception = self.get_object()
        context = {**self.get_serializer_context(), "history": selectors.history(exception)}
        return Response(s.ExceptionDetailSerializer(exception, context=context).data)

    @extend_schema(
        summary="The register as filtered, each exception with its full history, as CSV",
        description="The same filters as the list; one row per history entry.",
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV."),
            400: ERRORS[400],
            401: ERRORS[401],
            403: ERRORS[403],
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request: Request) -> HttpResponse:
        if not policies.can_view_exceptions(actor(request)):
            raise PermissionDenied(_("Only signed-in users read the exception register."))
        return exports.response(self.filter_queryset(self.get_queryset()))

    @extend_schema(
        summary="Request an exception (team product owners)",
        request=s.ExceptionRequestInput,
        responses=CREATED,
    )
    def create(self, request: Request) -> Response:
        data = _valid(s.ExceptionRequestInput, request)
        exception = services.exception_request(actor=actor(request), **data)
        return Response(s.ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a detected, undocumented exception (platform reviewers)",
        request=s.ExceptionDetectInput,
        responses=CREATED,
    )
    @action(detail=False, methods=["post"])
    def detect(self, request: Request) -> Response:
        data = _valid(s.ExceptionDetectInput, request)
        exception = services.exception_detect(actor=actor(request), **data)
        return Response(s.ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Justify a detected exception: detected -> requested (team product owners)",
        request=s.JustifyInput,
        responses=transition_responses(s.ExceptionSerializer),
    )
    @action(detail=True, methods=["post"])
    def justify(self, request: Request, pk: Any = None) -> Response:
        return _transition(services.exception_justify, s.JustifyInput, request, pk)

    @extend_schema(
        summary="Approve with an expiry date (platform, not the requester)",
        request=s.ApproveInput,
        responses=transition_responses(s.ExceptionSerializer),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return _transition(services.exception_approve, s.ApproveInput, request, pk)

    @extend_schema(
        summary="Reject with a reason (platform, not the requester)",
        request=s.RejectInput,
        responses=transition_responses(s.ExceptionSerializer),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return _transition(services.exception_reject, s.RejectInput, request, pk)

    @extend_schema(
        summary="Revoke an approval with a reason (platform)",
        request=s.RevokeInput,
        responses=transition_responses(s.ExceptionSerializer),
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        return _transition(services.exception_revoke, s.RevokeInput, request, pk)

    @extend_schema(
        summary="Close: back on the platform path (platform or the team's product owners)",
        request=s.CloseInput,
        responses=transition_responses(s.ExceptionSerializer),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return _transition(services.exception_close, s.CloseInput, request, pk)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _transition(
    service: Any, serializer_class: type[serializers.Serializer], request: Request, pk: Any
) -> Response:
    exception = service(pk, actor=actor(request), **_valid(serializer_class, request))
    return Response(s.ExceptionSerializer(exception).data)
