"""Baseline views for the load benchmark: the cheapest page and API answer the stack can give.

Mounted only when PORTAL_BENCH_VIEWS=1, behind the same middleware as every portal page, so
the benchmark can report each endpoint as a ratio to what Django and DRF cost on their own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def bare_django(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class BareDRF(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})
