"""`queryset.get(pk=...)` with its SQL compiled once per connection, instead of on every call.

Django compiles a queryset's SQL each time it runs it: for a `select_related` over a few wide
tables that is most of the ORM's cost (the API release detail's release, scenario and author,
about 100 columns, compile in about as long as PostgreSQL takes to answer). `CompiledGet` keeps
the compiler of the first call and, on the next ones, sends the same statement with the new
primary key, then builds the objects as `ModelIterable` does, with Django's own converters and
related populators. Without it the API release detail misses its 0.40 target (README,
Benchmarks: "Hand-written machinery"). `tests/core/test_compiled_get.py` holds it equal to
`get(pk=...)`: the same fields, related objects and annotations, the same errors, one query
(two when there is no such row: the second is the ORM's, which raises its own error).

Only for a queryset whose SQL has no parameter of its own (the primary key is the only one: it
refuses one with any other when first used), and never for `prefetch_related`,
`select_for_update` or `using()`. A key the database column cannot hold (out of the integer range, or of the
wrong type for a custom key) is left to the ORM, which answers it as it always does."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    MAX_GET_RESULTS,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)


class UncompilableQuery(Exception):
    """The queryset cannot be compiled once (a programming error, never a missing row: not a
    ValueError, which callers of `get` read as a malformed key)."""


@dataclass(frozen=True)
class _Compiled:
    connection: BaseDatabaseWrapper
    compiler: SQLCompiler
    sql: str
    init_list: list[str]
    model_fields: slice
    related_populators: list[Any]
    annotation_col_map: dict[str, int]


class CompiledGet(Generic[M]):
    """`queryset().get(pk=pk)`; `queryset` builds the same queryset each time it is called."""

    def __init__(self, queryset: Callable[[], QuerySet[M]]) -> None:
        self._queryset = queryset
        # Connections are per thread, and so is a compiler bound to one.
        self._local = threading.local()

    @functools.cached_property
    def _model(self) -> type[M]:
        return self._queryset().model

    def get(self, pk: Any) -> M:
        # The queryset itself is built only to compile it, and for the ORM's answers below.
        db = router.db_for_read(self._model)
        connection = connections[db]
        pk_field = self._model._meta.pk
        assert pk_field is not None
        value = pk_field.get_prep_value(pk)  # the ORM's own ValueError / TypeError
        if not _fits(connection, pk_field, value):
            return self._queryset().get(pk=pk)
        compiled = self._compiled(db, connection, value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, (pk_field.get_db_prep_value(value, connection, True),))
            rows = cursor.fetchmany(MAX_GET_RESULTS)
        found = [self._build(compiled, db, row) for row in compiled.compiler.results_iter([rows])]
        if len(found) == 1:
            return found[0]
        # None or several: the ORM's own error, for one more query on that path only.
        return self._queryset().get(pk=pk)

    def _compiled(self, db: str, connection: BaseDatabaseWrapper, value: Any) -> _Compiled:
        compiled: _Compiled | None = getattr(self._local, db, None)
        if compiled is not None and compiled.connection is connection:
            return compiled
        base = self._queryset()
        if base._prefetch_related_lookups or base.query.select_for_update:  # type: ignore[attr-defined]
            raise UncompilableQuery("prefetch_related and select_for_update are not compiled")
        if base.db != db:
            raise UncompilableQuery("a queryset bound to a database with using() is not compiled")
        # What `QuerySet.get` runs: the filter, no ordering, at most MAX_GET_RESULTS rows.
        query = base.filter(pk=value).order_by()[:MAX_GET_RESULTS].query
        compiler = query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        if len(params) != 1:
            raise UncompilableQuery(
                f"{base.model._meta.label}: the SQL has parameters besides the primary key"
            )
        klass_info = compiler.klass_info
        assert klass_info is not None
        select_fields = klass_info["select_fields"]
        model_fields = slice(select_fields[0], select_fields[-1] + 1)
        compiled = _Compiled(
            connection=connection,
            compiler=compiler,
            sql=sql,
            init_list=[column[0].target.attname for column in compiler.select[model_fields]],
            model_fields=model_fields,
            related_populators=get_related_populators(klass_info, compiler.select, db),
            annotation_col_map=compiler.annotation_col_map or {},
        )
        setattr(self._local, db, compiled)
        return compiled

    def _build(self, compiled: _Compiled, db: str, row: Any) -> M:
        """One object from one row, as `ModelIterable.__iter__` builds it."""
        obj = self._model.from_db(db, compiled.init_list, row[compiled.model_fields])
        for populator in compiled.related_populators:
            populator.populate(row, obj)
        for name, position in compiled.annotation_col_map.items():
            setattr(obj, name, row[position])
        return obj


def _fits(connection: BaseDatabaseWrapper, field: Any, value: Any) -> bool:
    """Whether the key goes into the statement as it is: an integer within the column's range
    (the ORM answers one outside it with DoesNotExist, without asking the database)."""
    if not isinstance(value, int):
        return False
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)
