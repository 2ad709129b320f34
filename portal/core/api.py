from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core import policies
from portal.core.api_conventions import ERRORS, BoundedPageNumberPagination
from portal.core.audit import audit_trail, history_for
from portal.core.auth import actor
from portal.core.filter_backend import FilterBackend
from portal.core.filters import AuditEntryFilter
from portal.core.serializers import AuditEntrySerializer, AuditTrailEntrySerializer, MeSerializer


class MeView(APIView):
    """The signed-in user, with roles and teams."""

    @extend_schema(responses={200: MeSerializer, 401: ERRORS[401], 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(actor(request)).data)


class AuditTrailView(ListAPIView):
    """The whole audit trail, newest first, for admins."""

    serializer_class = AuditTrailEntrySerializer
    pagination_class = BoundedPageNumberPagination
    filter_backends = [FilterBackend]
    filterset_class = AuditEntryFilter

    def get_queryset(self) -> models.QuerySet[Any]:
        return audit_trail()

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not policies.can_read_audit_trail(actor(request)):
            raise PermissionDenied(_("Only admins read the audit trail."))

    @extend_schema(
        summary="The audit trail: every transition of every object, newest first (admins)",
        responses={200: AuditTrailEntrySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# For an object's `history` action: `@action(detail=True, **HISTORY_ACTION)`.
HISTORY_ACTION: dict[str, Any] = {
    "methods": ["get"],
    "pagination_class": BoundedPageNumberPagination,
    "filter_backends": [],
}


def history_schema(noun: str) -> Any:
    """The schema of an object's `history` action: a page of its audit trail."""
    return extend_schema(
        summary=f"The {noun}'s audit trail (every transition), oldest first, a page at a time",
        responses={200: AuditEntrySerializer(many=True), **ERRORS},
        filters=False,
    )


def history_page(view: GenericAPIView, obj: models.Model) -> Response:
    """One page of the object's audit trail; the caller has checked that the user sees it."""
    page = view.paginate_queryset(history_for(obj))
    return view.get_paginated_response(AuditEntrySerializer(page, many=True).data)
