"""A small create endpoint to exercise `portal.core.idempotency` on its own."""

from __future__ import annotations

import time
from typing import Any

from django.urls import path
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.idempotency import idempotent
from portal.core.models import Team


class TeamIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField()
    pause = serializers.FloatField(required=False, default=0)


class TeamCreate(APIView):
    @idempotent
    def post(self, request: Request) -> Response:
        data = TeamIn(data=request.data)
        data.is_valid(raise_exception=True)
        # The pause widens the race window of the concurrency test.
        time.sleep(data.validated_data.pop("pause"))
        team = Team.objects.create(**data.validated_data)
        body: dict[str, Any] = {"id": team.pk, "name": team.name}
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": f"/teams/{team.pk}/"}
        )


urlpatterns = [path("api/v1/test-teams/", TeamCreate.as_view())]
