"""API conventions shared by every app: pagination, the error handler and its schema."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import TransitionConflict
from portal.core.pagination import BoundedPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`page_size` is a whole number from 1 to `max_page_size`, as the schema says; any other
    value is refused with a 400 naming it (DRF would silently use the default instead)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = _("A whole number from 1 to %(max)d; got %(value)r.") % {
                "max": self.max_page_size,
                "value": raw[:20],
            }
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class BoundedPageNumberPagination(PageNumberPagination):
    """For lists that grow without limit: `count` is exact up to 250 rows (or the page asked
    for), then a lower bound, and `count_is_exact` says which. `next` is set on every page that
    has one, so a client pages through by following it."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        number = request.query_params.get(self.page_query_param)
        self.django_paginator_class = functools.partial(BoundedPaginator, number=number)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        paginator = getattr(self.page, "paginator", None)
        response.data["count_is_exact"] = getattr(paginator, "count_is_exact", True)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["description"] = (
            "Exact when count_is_exact is true; otherwise a lower bound."
        )
        paginated["properties"]["count_is_exact"] = {"type": "boolean"}
        paginated["required"] = [*paginated["required"], "count_is_exact"]
        return paginated


class BlankChoices:
    """For a ModelSerializer whose choice fields are read-only: DRF drops `allow_blank` from
    them, so the schema would promise a choice where the model allows (and returns) ""."""

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()  # type: ignore[misc]
        meta = self.Meta.model._meta  # type: ignore[attr-defined]
        for name, field in fields.items():
            if not (isinstance(field, serializers.ChoiceField) and field.read_only):
                continue
            try:
                field.allow_blank = meta.get_field(field.source or name).blank
            except FieldDoesNotExist:
                continue
        return fields


class RefuseReadOnly:
    """For write serializers: a body naming a field this write may not set (a field declared
    read-only here, such as a scenario's team after creation, or a field of the model the
    serializer does not write, such as `status`) is a 400 naming it. DRF would drop it and
    answer 200, so the client would believe the change was made. Keys that name nothing are
    still ignored."""

    def to_internal_value(self, data: Any) -> Any:
        named = set(data) & self._read_only_names() if isinstance(data, Mapping) else set()
        refused = {
            name: [_("'%(name)s' is read-only: this write cannot set it.") % {"name": name}]
            for name in named
        }
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except exceptions.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise exceptions.ValidationError({**exc.detail, **refused}) from exc
        if refused:
            raise exceptions.ValidationError(refused)
        return value

    def _read_only_names(self) -> set[str]:
        fields = self.fields  # type: ignore[attr-defined]
        writable = {name for name, field in fields.items() if not field.read_only}
        model = getattr(getattr(self, "Meta", None), "model", None)
        known = {field.name for field in model._meta.get_fields()} if model else set()
        return (set(fields) | known) - writable


def _validation_payload(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        # Django's "__all__" becomes DRF's name for errors that belong to no one field.
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One mapping for every endpoint: 400 validation, 401/403 auth, 404 missing,
    409 state conflicts and lost races. Every body is {"detail": ..., "code": ...}; a 400
    also has `errors` (a malformed body's message is a non-field error)."""
    if isinstance(exc, TransitionConflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = _validation_payload(exc)
        return Response(
            {"detail": _("Invalid input."), "code": "invalid", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if not isinstance(errors, dict):  # raised with a message, not per field
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": errors}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = {"detail": str(exc.detail), "code": code}
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            response.data["errors"] = {api_settings.NON_FIELD_ERRORS_KEY: [str(exc.detail)]}
    return response


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
    },
)
ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.JSONField(),
            help_text="Messages per field, a list of strings; a field holding a list or an "
            "object nests its items' errors (by position or by field) the same way.",
        ),
    },
)

ERRORS = {
    400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input; nothing changed."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for this user."),
    404: OpenApiResponse(ErrorSerializer, description="No such object (or not visible to you)."),
}
TRANSITION_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        ErrorSerializer, description="Not allowed in the current state, or lost a race."
    ),
}


def _error_response(component: str, description: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{component}"}
    return {"content": {"application/json": {"schema": schema}}, "description": description}


def document_list_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Schema postprocessing hook: every paginated list (a GET with a `page` parameter)
    documents its 400 (a filter value, page or page size refused) and its 404 (no such page),
    so no list view has to repeat them."""
    for operations in result["paths"].values():
        get = operations.get("get")
        if not get or not any(p["name"] == "page" for p in get.get("parameters", [])):
            continue
        responses = get["responses"]
        responses.setdefault("400", _error_response("ValidationError", LIST_INVALID))
        responses.setdefault("404", _error_response("Error", "No such page."))
        get["responses"] = dict(sorted(responses.items()))
    return result


LIST_INVALID = "A filter value, page or page size refused (named in errors); nothing listed."


def transition_responses(ok: Any) -> dict[int, Any]:
    """Responses of a POST action that performs a transition."""
    return {200: ok, **TRANSITION_ERRORS}
