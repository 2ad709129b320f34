"""One instance per read-only serializer class, instead of DRF's new instance per object.

Building a serializer's fields (for a ModelSerializer, from the model) costs more than showing
one object with them: without it the API release detail costs about a quarter more CPU and
misses its 0.40 target (README, Benchmarks: "Hand-written machinery"). Only for serializers
whose output depends on the object alone, never on the request or other context.
`tests/releases/test_serializer_cache.py` holds it equal to DRF's `Serializer(obj).data`."""

from __future__ import annotations

import functools
from typing import TypeVar

from rest_framework import serializers

S = TypeVar("S", bound=serializers.BaseSerializer)


@functools.cache
def shown(serializer_class: type[S]) -> S:
    """The one instance of `serializer_class`, used through `to_representation(obj)`."""
    return serializer_class()
