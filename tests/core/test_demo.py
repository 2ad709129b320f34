"""`manage.py load_demo`: one user per role, and running it twice changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from portal.core import demo, roles
from portal.core.models import Team, User

ROLE_OF = {
    "product": roles.PRODUCT_OWNER,
    "product2": roles.PRODUCT_OWNER,
    "reviewer": roles.PLATFORM_REVIEWER,
    "platform": roles.PLATFORM_REVIEWER,
    "quality": roles.QUALITY_OWNER,
    "cost": roles.COST_OWNER,
    "incident": roles.INCIDENT_OWNER,
    "admin": roles.ADMIN,
}


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "admin")
    }


@pytest.mark.django_db
def test_load_demo_is_idempotent(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    assert first["core.User"] >= len(ROLE_OF)

    call_command("load_demo", stdout=StringIO())

    assert _counts() == first


@pytest.mark.django_db
def test_load_demo_refuses_outside_debug(settings: Any) -> None:
    """The demo users share a published password; a production database never gets them."""
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError, match="DJANGO_DEBUG is off.*--force"):
        call_command("load_demo", stdout=StringIO())
    assert _counts() == before
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_load_demo_outside_debug_only_when_forced(settings: Any) -> None:
    settings.DEBUG = False
    call_command("load_demo", "--force", stdout=StringIO())
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_core_demo_load_is_idempotent() -> None:
    demo.load({})
    first = _counts()
    people: dict[str, object] = {}
    demo.load(people)
    assert _counts() == first
    assert set(ROLE_OF) <= set(people)
    assert set(people["teams"]) == {"platform", "support-ai", "back-office"}  # type: ignore[call-overload]


@pytest.mark.django_db
def test_one_demo_user_per_role_who_can_sign_in() -> None:
    demo.load({})
    for username, role in ROLE_OF.items():
        user = User.objects.get(username=username)
        assert user.has_role(role), username
        # As the sign-in page does: with the request, which the lockout check needs.
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=demo.DEMO_PASSWORD) == user
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_demo_teams() -> None:
    demo.load({})
    kinds = dict(Team.objects.values_list("slug", "kind"))
    assert kinds == {"platform": "platform", "support-ai": "product", "back-office": "product"}
    assert set(User.objects.get(username="reviewer").teams.values_list("slug", flat=True)) == {
        "platform"
    }


def test_readme_lists_every_demo_user_and_the_password() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"`{demo.DEMO_PASSWORD}`" in readme
    for username, *_ in demo.PEOPLE:
        assert f"| `{username}` |" in readme, username
