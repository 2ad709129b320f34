"""Every button a page offers says what its transition says of itself: the catalogues are read
from the transitions' own `custom=` labels, so the page and `perform`'s messages agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exceptions.views import CATALOGUE as EXCEPTION_ACTIONS
from incidents.selectors import CATALOGUE as INCIDENT_ACTIONS
from portal.core.transitions import Action, _fsm_meta, catalogue
from releases.models import Release
from releases.selectors import ACTIONS as RELEASE_ACTIONS
from scenarios.views import ACTIONS as SCENARIO_ACTIONS
from scenarios.views import DECISIONS as SCENARIO_DECISIONS
from support.views import ACTIONS as SUPPORT_ACTIONS
from tests.releases.factories import ReleaseFactory

CATALOGUES: list[tuple[str, dict[str, Action], Any]] = [
    ("releases", RELEASE_ACTIONS, "releases.models.Release"),
    ("scenarios", SCENARIO_ACTIONS, "scenarios.models.Scenario"),
    ("scenario decisions", SCENARIO_DECISIONS, "scenarios.models.Scenario"),
    ("exceptions", EXCEPTION_ACTIONS, "exceptions.models.PlatformException"),
    ("incidents", INCIDENT_ACTIONS, "incidents.models.Incident"),
    ("support", SUPPORT_ACTIONS, "support.models.SupportRequest"),
]


def _model(path: str) -> Any:
    from importlib import import_module

    module, name = path.rsplit(".", 1)
    return getattr(import_module(module), name)


@pytest.mark.parametrize(("app", "actions", "model"), CATALOGUES, ids=[c[0] for c in CATALOGUES])
def test_each_button_label_is_its_transitions_label_from_every_source(
    app: str, actions: dict[str, Action], model: str
) -> None:
    for name, action in actions.items():
        meta = _fsm_meta(_model(model), name)
        labels = {t.custom.get("label") for t in meta.transitions.values()}
        assert labels == {action.label}, (app, name, labels)


def test_slug_style_and_comment_come_from_the_transition() -> None:
    rollback = catalogue(Release, "roll_back")["roll_back"]
    assert (rollback.slug, rollback.style, rollback.needs_comment) == ("rollback", "danger", True)
    assert catalogue(Release, "start_rollout")["start_rollout"].slug == "start-rollout"


@pytest.mark.django_db
def test_the_release_page_offers_revise_as_the_transition_names_it() -> None:
    release = ReleaseFactory(status="rejected")
    client = Client()
    client.force_login(release.author)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Revise (back to draft)" in page
