"""Core rules with one home: who holds a role as a query (`people_with_role`, the same rule
as `roles.role_names` for one person) and who is shown the link to the admin site (whom the
admin site lets in)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from portal.core import audit, roles
from portal.core.selectors import people_with_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LINK = '<a href="/admin/">Admin</a>'


@pytest.mark.parametrize("role", roles.ALL)
def test_people_with_a_role_are_the_active_people_the_role_rule_names(role: str) -> None:
    everyone = [
        UserFactory(roles=[role]),
        UserFactory(roles=[role, roles.PRODUCT_OWNER]),
        UserFactory(roles=[role], is_active=False),
        UserFactory(roles=[roles.QUALITY_OWNER if role != roles.QUALITY_OWNER else roles.ADMIN]),
        UserFactory(is_superuser=True),
        UserFactory(is_superuser=True, is_active=False),
    ]
    found = list(people_with_role(role))
    assert len(found) == len(set(found))
    assert set(found) == {p for p in everyone if p.is_active and roles.has_role(p, role)}


def test_the_audit_alarm_goes_to_every_admin_the_role_rule_names() -> None:
    UserFactory(roles=[roles.ADMIN])
    UserFactory(is_superuser=True)
    UserFactory(roles=[roles.ADMIN], is_active=False)
    assert list(audit._admins()) == list(people_with_role(roles.ADMIN).order_by("pk"))
    assert len(list(audit._admins())) == 2


def test_an_admin_the_admin_site_refuses_is_not_shown_its_link(client: Client) -> None:
    """The link leads to the admin site, which lets in staff only: an admin by role who is not
    staff would meet its login page, so the link is not shown."""
    person = UserFactory(roles=[roles.ADMIN], is_staff=False)
    client.force_login(person)
    assert ADMIN_LINK not in client.get("/").content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_whoever_the_admin_site_lets_in_is_shown_its_link(client: Client) -> None:
    person = UserFactory(is_staff=True)
    client.force_login(person)
    assert ADMIN_LINK in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 200


def test_admins_who_are_staff_see_the_link(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    assert ADMIN_LINK in client.get("/").content.decode()
