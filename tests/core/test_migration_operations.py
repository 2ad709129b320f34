"""AlterFieldOptions gives the migration state AlterField would give, re-renders the
models it changes, writes no SQL and refuses a change that would reach the database."""

from __future__ import annotations

from functools import cache

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from portal.core.migration_operations import AlterFieldOptions, DatabaseChangeRefused


@cache
def _loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


@cache
def _migrations_using_it() -> list[tuple[tuple[str, str], Migration]]:
    loader = _loader()
    return [
        (key, migration)
        for key, migration in sorted(loader.disk_migrations.items())
        if any(isinstance(operation, AlterFieldOptions) for operation in migration.operations)
    ]


def _as_alter_fields(migration: Migration) -> list[migrations.operations.base.Operation]:
    operations: list[migrations.operations.base.Operation] = []
    for operation in migration.operations:
        if isinstance(operation, AlterFieldOptions):
            operations += [
                migrations.AlterField(model_name, name, field)
                for model_name, name, field in operation.fields
            ]
        else:
            operations.append(operation)
    return operations


def _state_before(key: tuple[str, str]) -> ProjectState:
    # A new state each time: project_state builds it from the migrations, sharing nothing.
    return _loader().project_state(key, at_end=False)


def _apply(
    app_label: str, operations: list[migrations.operations.base.Operation], state: ProjectState
) -> None:
    for operation in operations:
        operation.state_forwards(app_label, state)


def test_the_verbose_name_migrations_use_it() -> None:
    apps_using_it = {app_label for (app_label, _name), _migration in _migrations_using_it()}
    assert {"core", "scenarios", "releases", "incidents", "exceptions"} <= apps_using_it


@pytest.mark.parametrize(
    "key", [key for key, _migration in _migrations_using_it()], ids=lambda key: ".".join(key)
)
def test_state_equals_what_alter_field_gives(key: tuple[str, str]) -> None:
    migration = dict(_migrations_using_it())[key]
    app_label = key[0]
    with_it = _state_before(key)
    with_alter_field = with_it.clone()
    with_it.apps  # rendered, as migrate renders it  # noqa: B018
    with_alter_field.apps  # noqa: B018

    _apply(app_label, list(migration.operations), with_it)
    _apply(app_label, _as_alter_fields(migration), with_alter_field)

    assert with_it.models == with_alter_field.models
    changed = [
        operation for operation in migration.operations if isinstance(operation, AlterFieldOptions)
    ]
    for model_name, name, field in changed[0].fields:
        rendered = with_it.apps.get_model(app_label, model_name)._meta.get_field(name)
        expected = with_alter_field.apps.get_model(app_label, model_name)._meta.get_field(name)
        assert (rendered.verbose_name, rendered.help_text, rendered.choices) == (
            field.verbose_name,
            field.help_text,
            field.choices,
        )
        assert rendered.deconstruct()[1:] == expected.deconstruct()[1:]


def test_it_writes_no_sql() -> None:
    key, migration = _migrations_using_it()[0]
    state = _state_before(key)
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        migration.apply(state, editor, collect_sql=True)
    statements = [line for line in editor.collected_sql if not line.startswith("--")]
    assert statements == []
    assert any("display-only options" in line for line in editor.collected_sql)


def test_a_change_that_reaches_the_database_is_refused_and_changes_nothing() -> None:
    state = _state_before(("scenarios", "0009_scenario_name_index"))
    before = state.clone()
    operation = AlterFieldOptions(
        [
            ("scenario", "description", models.TextField(blank=True, verbose_name="what it does")),
            ("scenario", "name", models.CharField(max_length=40, verbose_name="name")),
        ]
    )

    with pytest.raises(DatabaseChangeRefused, match=r"scenarios\.scenario\.name: max_length"):
        operation.state_forwards("scenarios", state)

    assert state.models == before.models
