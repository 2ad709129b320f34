"""The API's router: every object is addressed by its integer id."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """DRF's router with the id in an address limited to digits, so `/incidents/abc/` is the
    URL resolver's 404 on every viewset and action, and no lookup is ever given a text id."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[0-9]+)"
