"""`portal.core.auth.actor`: the signed-in user of a page or API request, typed as User."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject
from rest_framework.request import Request

from portal.core.auth import actor


@pytest.mark.django_db
class TestActor:
    def test_the_signed_in_user_of_a_page(self, rf: RequestFactory, product_owner: Any) -> None:
        request = rf.get("/")
        request.user = SimpleLazyObject(lambda: product_owner)  # as AuthenticationMiddleware does
        assert actor(request) == product_owner

    def test_the_signed_in_user_of_an_api_request(
        self, rf: RequestFactory, product_owner: Any
    ) -> None:
        request = Request(rf.get("/api/v1/"))
        request.user = product_owner
        assert actor(request) == product_owner

    def test_nobody_signed_in_is_refused(self, rf: RequestFactory) -> None:
        request = rf.get("/")
        request.user = AnonymousUser()
        with pytest.raises(PermissionDenied, match="Sign in first."):
            actor(request)
        with pytest.raises(PermissionDenied):
            actor(Request(request))


@pytest.mark.django_db
def test_the_public_schema_still_describes_the_list_filters(client: Any) -> None:
    # The schema is generated for nobody: the list views answer it without asking who signs in.
    schema = client.get("/api/schema/", {"format": "json"}).json()

    def parameters(path: str) -> set[str]:
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"status", "team", "owner", "route", "hosting"} <= parameters("/api/v1/scenarios/")
    assert {"status", "scenario", "awaiting"} <= parameters("/api/v1/releases/")
