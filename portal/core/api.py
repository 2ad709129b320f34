from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import ERRORS
from portal.core.serializers import MeSerializer


class MeView(APIView):
    """The signed-in user, with roles and teams."""

    @extend_schema(responses={200: MeSerializer, 401: ERRORS[401], 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
