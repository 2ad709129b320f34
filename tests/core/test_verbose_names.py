"""Every model and field of the portal's apps names itself in the reader's language: the admin,
the refusals that name an object ("this scenario's state is …"), the reminder emails and the API
errors read these names, so each is a lazily translated text that has a Russian translation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from scenarios.models import Scenario
from tests.scenarios.factories import ScenarioFactory

BASE = Path(settings.BASE_DIR).resolve()


def _portal_models() -> list[type[models.Model]]:
    """The models of the apps that live in this repository (not the installed packages)."""
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(BASE)
        and "site-packages" not in Path(config.path).parts
        for model in config.get_models()
    ]


def _named_fields(model: type[models.Model]) -> list[Any]:
    """The model's own columns and many-to-many fields. Django's implicit primary key ("ID")
    and generic foreign keys (no column, no name of their own) are left out."""
    return [
        field
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many) and not field.auto_created
    ]


def _names() -> list[tuple[str, Any]]:
    """(where, name) for each model's singular and plural name and each field's name."""
    found: list[tuple[str, Any]] = []
    for model in _portal_models():
        label = model._meta.label
        for option in ("verbose_name", "verbose_name_plural"):
            found.append((f"{label} {option}", model._meta.original_attrs.get(option)))
        found += [
            (f"{label}.{field.name}", getattr(field, "verbose_name", None))
            for field in _named_fields(model)
        ]
    return found


def test_the_portal_has_models_to_check() -> None:
    labels = {model._meta.label for model in _portal_models()}
    assert {"core.User", "scenarios.Scenario", "releases.SignOff", "gateway.DriftFinding"} <= labels
    assert not any(label.startswith(("auth.", "knox.", "axes.")) for label in labels)


def test_every_model_and_field_declares_a_lazily_translated_name() -> None:
    untranslated = [where for where, name in _names() if not isinstance(name, Promise)]
    assert untranslated == []


def test_every_name_reads_in_russian() -> None:
    with translation.override("en"):
        english = {where: str(name) for where, name in _names()}
    with translation.override("ru"):
        russian = {where: str(name) for where, name in _names()}
    same = {where: text for where, text in english.items() if russian[where] == text}
    assert same == {}


def test_the_names_read_as_before_in_english() -> None:
    with translation.override("en"):
        assert str(Scenario._meta.verbose_name) == "scenario"
        assert str(Scenario._meta.verbose_name_plural) == "scenarios"
        assert str(Scenario._meta.get_field("product_owner").verbose_name) == "product owner"


def test_the_russian_names_follow_the_portal_vocabulary() -> None:
    with translation.override("ru"):
        assert str(Scenario._meta.verbose_name) == "сценарий"
        assert str(Scenario._meta.verbose_name_plural) == "сценарии"
        assert str(Scenario._meta.get_field("product_owner").verbose_name) == "владелец продукта"


@pytest.mark.django_db
def test_a_russian_reader_is_told_the_state_of_a_scenario_in_russian(
    product_owner: Any, platform_reviewer: Any
) -> None:
    platform_reviewer.language = "ru"
    platform_reviewer.save(update_fields=["language"])
    draft = ScenarioFactory(status="draft", product_owner=product_owner)
    client = Client()
    client.force_login(platform_reviewer)

    response = client.post(f"/scenarios/{draft.pk}/start-review/", follow=True)

    [message] = [str(message) for message in response.context["messages"]]
    # The action by its own label, translated, though the draft state has no such transition.
    assert message == "Действие «Начать ревью» недоступно: сценарий в состоянии «Черновик»."
    draft.refresh_from_db()
    assert draft.status == "draft"
