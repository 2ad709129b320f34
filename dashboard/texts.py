"""Texts of the dashboard that are built once and read in every language.

The figures are computed once per cache period and kept in the cache for every reader, and the
drill-down lists are defined once per process, so what they say is translated when it is shown,
not when it is built. `interpolated(message, values)` is `message % values` done then, in the
reader's language; `lowered(text)` is a text in lower case, likewise. Both pickle, as the cache
needs.

`dumps` and `loads` replace the cache's own pickling of the figures. Django unpickles each lazy
text by building its proxy class anew (`django.utils.functional._lazy_proxy_unpickle` calls
`lazy()` per text), and the figures hold about 160 of them: reading them back cost most of a
dashboard request served from the cache. Here the class of each lazy function is built once per
process, and the texts come back the same: the same function and arguments, translated when
shown.
"""

from __future__ import annotations

import functools
import io
import pickle
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise, _lazy_proxy_unpickle, lazy  # type: ignore[attr-defined]
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Who ended a wait no reviewer ended (the platform wait's lists and its breakdown by reviewer).
NOBODY = _("nobody in particular")


def _interpolate(message: StrOrPromise, values: dict[str, Any]) -> str:
    return str(message) % values


def _lower(text: StrOrPromise) -> str:
    return str(text).lower()


interpolated = lazy(_interpolate, str)
lowered = lazy(_lower, str)


@functools.cache
def _lazy_function(func: Any, resultclasses: tuple[type, ...]) -> Any:
    return lazy(func, *resultclasses)


def _unpickle_lazy(func: Any, args: tuple, kwargs: dict, resultclasses: tuple[type, ...]) -> Any:
    return _lazy_function(func, resultclasses)(*args, **kwargs)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Promise):
            unpickle, arguments = obj.__reduce__()
            if unpickle is _lazy_proxy_unpickle:  # otherwise (plural texts): pickle's own way
                func, args, kwargs, *resultclasses = arguments  # type: ignore[misc]
                return _unpickle_lazy, (func, args, kwargs, tuple(resultclasses))
        return NotImplemented


def dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 (written by `dumps` into the portal's own cache)
