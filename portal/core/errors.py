"""Errors that services raise and both the HTML views and the API map to responses."""

from __future__ import annotations


class TransitionConflict(Exception):
    """The action is not allowed in the object's current state, or another request won the race.

    Mapped to HTTP 409 by the API and to an error message by the HTML views."""

    code = "conflict"

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
