"""Personal API tokens over the API: list your own, create one (shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core import policies, selectors, token_services
from portal.core.api_conventions import ERRORS, ErrorSerializer, PageNumberPagination
from portal.core.auth import actor
from portal.core.models import ApiToken
from portal.core.signin import SignInBasicAuthentication
from portal.core.tokens import ExpiringTokenAuthentication


class TokenSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    prefix = serializers.CharField(source="token_key", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "user", "prefix", "created", "expiry", "expired", "last_used_at"]


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=token_services.MAX_DAYS, default=token_services.DEFAULT_DAYS
    )


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this response.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


# Basic (username and password) lets a terminal or a first pipeline set-up get a token
# without a browser; a token itself may list and revoke but not create. Failed passwords are
# throttled like on the sign-in page (portal/core/signin.py): 429 while locked out.
AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication, SignInBasicAuthentication]
LOCKED_OUT = {
    429: OpenApiResponse(
        ErrorSerializer,
        description="Too many failed sign-ins with this username (or from this address); "
        "`Retry-After` says when to try again. Code `locked_out`.",
    )
}


def _via_token(request: Request) -> bool:
    return isinstance(request.auth, ApiToken)


class TokenListCreateView(APIView):
    """Your personal API tokens (admins: anyone's with `?user=`)."""

    authentication_classes = AUTHENTICATION
    # Also tells the schema that the list comes in pages.
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[OpenApiParameter("user", str, description="Username; admins only.")],
        responses={
            200: TokenSerializer(many=True),
            401: ERRORS[401],
            403: ERRORS[403],
            **LOCKED_OUT,
        },
    )
    def get(self, request: Request) -> Response:
        username = request.query_params.get("user", "")
        if username and username != actor(request).get_username():
            if not policies.can_manage_all_tokens(actor(request)):
                raise PermissionDenied(_("Only admins list other users' tokens."))
            tokens = selectors.all_tokens(username)
        else:
            tokens = selectors.tokens_of(actor(request)).select_related("user")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tokens, request, view=self)
        return paginator.get_paginated_response(TokenSerializer(page, many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **ERRORS, **LOCKED_OUT},
        description="Creates a token for the signed-in user (session or HTTP Basic, not a "
        "token). The token text is in this response only; the portal stores its hash.",
    )
    def post(self, request: Request) -> Response:
        incoming = TokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, text = token_services.token_create(
            actor(request), via_token=_via_token(request), **incoming.validated_data
        )
        data: dict[str, Any] = {**TokenSerializer(token).data, "token": text}
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class TokenDetailView(APIView):
    """One token: read it (never its text) or revoke it."""

    authentication_classes = AUTHENTICATION

    @extend_schema(responses={200: TokenSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        token = ApiToken.objects.select_related("user").filter(pk=pk).first()
        if token is None or not policies.can_see_token(actor(request), token):
            raise Http404(_("No such token."))
        return Response(TokenSerializer(token).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        token_services.token_revoke(pk, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
