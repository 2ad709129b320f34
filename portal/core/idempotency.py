"""`Idempotency-Key` for API POSTs: a retried request returns the first result, creates nothing.

Decorate a DRF view's `post` or `create` with `@idempotent`. With the header set:
- the first request inserts a key row, runs the view in the same transaction and stores the
  response (2xx only: a failed request may be retried with the same key);
- a request with a key already used replays the stored response (`Idempotent-Replayed: true`);
- the same key with another body, method or path gets 422 and changes nothing;
- two requests with one key at the same moment: the second waits on the key's unique index
  until the first commits, then replays it. So a pipeline that retries never makes two.
Keys are per user and kept for `RETENTION`; after that the key may be used afresh.
Without the header the view runs as usual.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.core.api_conventions import ErrorSerializer
from portal.core.auth import actor
from portal.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
REPLAYED_HEADERS = ("Location",)
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID, or the CI run id) per intended create. A retry "
    "with the same key returns the first response and creates nothing; the same key with "
    "another body gets 422. Kept for 24 hours.",
)
IDEMPOTENCY_RESPONSES = {
    422: OpenApiResponse(
        ErrorSerializer, description="The Idempotency-Key was already used for another request."
    )
}


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy(
        "This Idempotency-Key was already used with another request body."
    )
    default_code = "idempotency_key_reused"


def _plain(data: Any) -> Any:
    if hasattr(data, "lists"):  # a QueryDict: keep repeated fields
        return {k: v if len(v) > 1 else v[0] for k, v in data.lists()}
    return data


def fingerprint(request: Request) -> str:
    """SHA-256 of method, path and the parsed body (key order and whitespace do not matter)."""
    body = json.dumps(_plain(request.data), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(request: Request, key: str, digest: str) -> tuple[IdempotencyKey, bool]:
    """Insert the key row (or wait for the request that holds it), inside the caller's atomic."""
    user = actor(request)
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - RETENTION
    ).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, key=key, method=request.method or "", path=request.path[:255],
                request_hash=digest,
            )  # fmt: skip
        return row, True
    except IntegrityError:
        # The unique index made us wait for the holder; it has committed, so read its result.
        return IdempotencyKey.objects.select_for_update().get(user=user, key=key), False


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.response_body, status=row.status_code)
    for name, value in row.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _store(row: IdempotencyKey, response: Response) -> None:
    row.status_code = response.status_code
    row.response_body = response.data
    row.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
    row.save(update_fields=["status_code", "response_body", "response_headers"])


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Make a DRF POST handler honour the `Idempotency-Key` header (see the module docstring)."""

    @wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key or not request.user.is_authenticated:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            message = ngettext(
                "At most %(max)d character.", "At most %(max)d characters.", MAX_KEY_LENGTH
            ) % {"max": MAX_KEY_LENGTH}
            raise exceptions.ValidationError({HEADER: [message]})
        digest = fingerprint(request)
        with transaction.atomic():
            row, created = _claim(request, key, digest)
            if not created:
                if row.request_hash != digest:
                    raise IdempotencyKeyReused()
                return _replay(row)
            response = view(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                _store(row, response)
            else:
                row.delete()
        return response

    return wrapper


def purge_expired(now: Any = None) -> int:
    """Delete keys past RETENTION; returns how many went."""
    cutoff = (now or timezone.now()) - RETENTION
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
