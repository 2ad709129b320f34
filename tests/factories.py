"""Factories for the core models. Each app keeps its own in tests/<app>/factories.py."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from portal.core.models import Team, User

PASSWORD = "test-password-123"  # noqa: S105


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    kind = Team.Kind.PRODUCT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for name in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=name)[0])

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for team in extracted or []:
            team.members.add(self)
