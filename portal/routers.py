"""The API's router: every object is addressed by its integer id, unless its viewset names
another path converter (`lookup_value_converter = "slug"` for teams)."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """DRF's router with Django's `int` path converter for the id in an address, so
    `/incidents/abc/` is the URL resolver's 404 on every viewset and action, no lookup is ever
    given a text id, and the schema types the id as an integer."""

    def __init__(self, trailing_slash: bool = True) -> None:
        super().__init__(trailing_slash=trailing_slash, use_regex_path=False)

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        converter = getattr(viewset, "lookup_value_converter", "int")
        return f"<{converter}:{lookup_prefix}{lookup_url_kwarg}>"
