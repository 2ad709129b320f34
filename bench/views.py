"""Baseline views for the load benchmark: the cheapest page and API answer the stack can give.

Mounted only by the bench's URLconf (`bench/urls.py`, with `bench.settings`), never by the
portal's. `ok` is served twice: at `/bench/ok/` behind every portal middleware, for a signed-in
user, and at `/bench/plain/` by a handler with no middleware at all (`bench/wsgi.py`), which is
what Django costs on its own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class BareDRF(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})
