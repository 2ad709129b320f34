"""`CompiledGet` answers as `queryset.get(pk=...)` does: the same fields, related objects and
annotations, the same errors, one query; it compiles the SQL once and reads the row anew each
time."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.db.models.sql.compiler import SQLCompiler

from portal.core.compiled_get import CompiledGet, UncompilableQuery
from releases import selectors
from releases.models import Release
from tests.releases.factories import ModelAliasFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

QUERYSETS = {
    "api": selectors._RELEASE,
    "page": selectors._RELEASE_PAGE,
}


def _values(obj: Model) -> dict[str, Any]:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _cached(obj: Model) -> dict[str, Any]:
    """The related objects the query read with the object, each with its own, as values."""
    return {
        name: (_values(related), _cached(related)) if related is not None else None
        for name, related in obj._state.fields_cache.items()
    }


def _same(compiled: Model, orm: Model, annotations: tuple[str, ...]) -> None:
    assert type(compiled) is type(orm)
    assert _values(compiled) == _values(orm)
    assert _cached(compiled) == _cached(orm)
    assert compiled._state.adding is orm._state.adding is False
    assert compiled._state.db == orm._state.db
    for name in annotations:
        assert getattr(compiled, name) == getattr(orm, name)


@pytest.mark.parametrize("name", QUERYSETS)
def test_it_reads_what_the_orm_reads(name: str) -> None:
    compiled = QUERYSETS[name]
    alias = ModelAliasFactory()
    current = ReleaseFactory(scenario=alias.scenario, alias_name=alias.name, status="released")
    alias.current_release = current
    alias.save()
    releases = [current, ReleaseFactory(status="submitted"), ReleaseFactory(alias_name=alias.name)]
    annotations = ("alias_pk", "alias_release_pk") if name == "page" else ()
    for release in [*releases, releases[0]]:
        for key in (release.pk, str(release.pk)):
            _same(compiled.get(key), compiled._queryset().get(pk=key), annotations)
    if annotations:  # the annotations compared above are not all None
        page = compiled.get(releases[2].pk)
        assert (page.alias_pk, page.alias_release_pk) == (alias.pk, current.pk)  # type: ignore[attr-defined]


def test_it_reads_the_row_anew_each_time() -> None:
    release = ReleaseFactory(title="Before")
    assert selectors._RELEASE.get(release.pk).title == "Before"
    Release.objects.filter(pk=release.pk).update(title="After")
    release.scenario.__class__.objects.filter(pk=release.scenario_id).update(name="Renamed")
    again = selectors._RELEASE.get(release.pk)
    assert (again.title, again.scenario.name) == ("After", "Renamed")


def test_one_query_and_one_compilation(
    django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = ReleaseFactory(), ReleaseFactory()
    compiled = CompiledGet(lambda: Release.objects.select_related("scenario", "author"))
    compilations = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compilations.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    with django_assert_num_queries(1):
        compiled.get(first.pk)
    with django_assert_num_queries(1):
        assert compiled.get(second.pk).author == second.author
    assert compilations == [Release]


@pytest.mark.parametrize(
    ("key", "error"),
    [
        (0, Release.DoesNotExist),
        (2**63, Release.DoesNotExist),  # beyond the column: the ORM answers, with no query
        (-(2**63) - 1, Release.DoesNotExist),
        ("abc", ValueError),
        ([], TypeError),
        (None, Release.DoesNotExist),
    ],
)
def test_it_fails_as_the_orm_fails(key: Any, error: type[Exception]) -> None:
    ReleaseFactory()
    with pytest.raises(error) as orm:
        Release.objects.select_related("scenario", "author").get(pk=key)
    with pytest.raises(error) as compiled:
        selectors._RELEASE.get(key)
    assert str(compiled.value) == str(orm.value)


def test_it_refuses_a_queryset_with_parameters_of_its_own() -> None:
    release = ReleaseFactory()
    for queryset in (
        lambda: Release.objects.filter(title="x"),
        lambda: Release.objects.prefetch_related("signoffs"),
        lambda: Release.objects.select_for_update(),
        lambda: Release.objects.using("elsewhere"),
    ):
        with pytest.raises(UncompilableQuery):
            CompiledGet(queryset).get(release.pk)
