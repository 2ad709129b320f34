"""Roles and teams of a user are read together, once per request."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core import roles
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_and_teams_in_one_query(django_assert_num_queries: Any) -> None:
    first, second = TeamFactory(slug="one"), TeamFactory(slug="two")
    TeamFactory(slug="not-mine")
    user = UserFactory(roles=[roles.PRODUCT_OWNER, roles.QUALITY_OWNER], teams=[first, second])
    with django_assert_num_queries(1):
        assert roles.role_names(user) == {roles.PRODUCT_OWNER, roles.QUALITY_OWNER}
        assert roles.team_ids(user) == {first.pk, second.pk}
        assert roles.has_role(user, roles.QUALITY_OWNER)
        assert not roles.has_role(user, roles.ADMIN)


def test_no_roles_no_teams_and_superusers() -> None:
    loner = UserFactory(roles=[], teams=[])
    assert roles.role_names(loner) == frozenset()
    assert roles.team_ids(loner) == frozenset()
    boss = UserFactory(roles=[], teams=[], is_superuser=True)
    assert roles.role_names(boss) == {roles.ADMIN}


def test_anonymous_has_neither() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert roles.role_names(AnonymousUser()) == frozenset()
    assert roles.team_ids(AnonymousUser()) == frozenset()


def test_the_query_reads_what_the_orm_relations_hold() -> None:
    teams = [TeamFactory(slug=f"team-{n}") for n in range(3)]
    people = [
        UserFactory(roles=[], teams=[]),
        UserFactory(roles=[roles.ADMIN], teams=teams),
        UserFactory(roles=list(roles.ALL), teams=teams[1:]),
        UserFactory(roles=[roles.COST_OWNER], teams=[teams[2]]),
    ]
    for person in people:
        assert roles.role_names(person) == set(person.groups.values_list("name", flat=True))
        assert roles.team_ids(person) == set(person.teams.values_list("pk", flat=True))
