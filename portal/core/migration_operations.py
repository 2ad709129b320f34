"""Migration operations that replace Django's where Django's cost too much.

``AlterFieldOptions`` replaces a run of ``migrations.AlterField`` operations that change
only what never reaches the database: verbose names, help texts, choices, validators.
Django's ``AlterField`` re-renders the model and every model related to it once per
field; the eleven migrations that gave every field a translatable name held 453 of
them, and a fresh ``migrate`` took 15 s instead of the 5 s it takes with this. This operation
changes the same fields in the migration state through Django's own
``ProjectState.alter_field`` and re-renders once for all of them. It writes no SQL, and
it refuses a field whose change would reach the database, so it can never hide a schema
change. ``tests/core/test_migration_operations.py`` holds its state equal to the
``AlterField`` operations it replaces.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.migrations.utils import field_is_referenced  # type: ignore[attr-defined]  # not in the stubs

# What a field may change here: Django's own list of options that do not affect the
# schema, less the column name, which does.
DISPLAY_ONLY_OPTIONS = frozenset(models.Field.non_db_attrs) - {"db_column"}


class DatabaseChangeRefused(ValueError):
    pass


def database_difference(old: models.Field[Any, Any], new: models.Field[Any, Any]) -> str:
    """What would change in the database between two versions of a field, or ``""``.

    Stricter than the schema editor's own ``_field_should_be_altered``, which needs a
    connection and rendered models: it runs on the migration state, and it counts any
    other option (a column name, a target) as a change rather than asking the backend.
    """
    _, old_path, old_args, old_kwargs = old.deconstruct()
    _, new_path, new_args, new_kwargs = new.deconstruct()
    if old_path != new_path:
        return f"type {old_path} -> {new_path}"
    if old_args != new_args:
        return "positional arguments"
    changed = sorted(
        key
        for key in set(old_kwargs) | set(new_kwargs)
        if key not in DISPLAY_ONLY_OPTIONS and old_kwargs.get(key) != new_kwargs.get(key)
    )
    return ", ".join(changed)


@contextmanager
def _rendering_deferred(state: ProjectState) -> Iterator[None]:
    # ProjectState re-renders only when its apps have been rendered ("apps" cached in
    # its __dict__, as ProjectState.reload_model reads it); set them aside while the
    # fields change, then put them back for the one re-render.
    apps = state.__dict__.pop("apps", None)
    try:
        yield
    finally:
        if apps is not None:
            state.__dict__["apps"] = apps


class AlterFieldOptions(Operation):
    """Change fields' display-only options (see the module) with one re-render.

    ``fields`` is a sequence of ``(model_name, field_name, field)``, each as
    ``migrations.AlterField(model_name, field_name, field)`` would take them.
    """

    def __init__(self, fields: Sequence[tuple[str, str, models.Field[Any, Any]]]) -> None:
        self.fields = list(fields)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {"fields": self.fields})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        for model_name, name, field in self.fields:
            old = state.models[app_label, model_name.lower()].fields[name]
            difference = database_difference(old, field)
            if difference:
                raise DatabaseChangeRefused(
                    f"{app_label}.{model_name}.{name}: {difference} would change the "
                    "database; use migrations.AlterField for it"
                )
        keys = set()
        delay = True
        with _rendering_deferred(state):
            for model_name, name, field in self.fields:
                key = (app_label, model_name.lower())
                state.alter_field(app_label, key[1], name, field, preserve_default=True)
                keys.add(key)
                # As ProjectState.alter_field decides for each field.
                delay = (
                    delay
                    and not field.is_relation
                    and not field_is_referenced(state, key, (name, field))
                )
        state.reload_models(sorted(keys), delay=delay)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def describe(self) -> str:
        return f"Alter the display-only options of {len(self.fields)} fields"

    @property
    def migration_name_fragment(self) -> str:
        return "field_options"
