from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import ERRORS, BoundedPageNumberPagination
from portal.core.audit import history_for
from portal.core.serializers import AuditEntrySerializer, MeSerializer


class MeView(APIView):
    """The signed-in user, with roles and teams."""

    @extend_schema(responses={200: MeSerializer, 401: ERRORS[401], 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


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
