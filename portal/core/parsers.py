"""The API's request parsers (kept apart from portal.core.api_conventions: DRF's views read the parser
setting when they are imported, and portal.core.api_conventions imports DRF's views)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which lets the RecursionError of a deeply nested body through
    (a 500); here it is a parse error like any other malformed body."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from exc
