"""Factories for support requests. `SupportRequestFactory(status=...)` builds one directly in
any state (tests only: the services change state in production code)."""

from __future__ import annotations

import factory

from support.models import SupportComment, SupportRequest
from tests.factories import TeamFactory, UserFactory


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    title = factory.Sequence(lambda n: f"Support question {n}")
    description = "How do we do this on the platform?"
    category = SupportRequest.Category.ONBOARDING
    team = factory.SubFactory(TeamFactory)
    requester = factory.LazyAttribute(lambda o: UserFactory(teams=[o.team] if o.team else []))


class SupportCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportComment

    request = factory.SubFactory(SupportRequestFactory)
    author = factory.LazyAttribute(lambda o: o.request.requester)
    body = "More details."
