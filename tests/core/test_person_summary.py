"""`person_summary` equals what `UserSummarySerializer` produces for the same person."""

from __future__ import annotations

import pytest

from portal.core.serializers import UserSummarySerializer, person_summary
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "names", [{"first_name": "Ada", "last_name": "Lovelace"}, {"first_name": "", "last_name": ""}]
)
def test_person_summary_matches_the_serializer(names: dict[str, str]) -> None:
    user = UserFactory(**names)
    expected = dict(UserSummarySerializer(user).data)
    assert person_summary(user) == expected
    assert list(person_summary(user) or {}) == UserSummarySerializer.Meta.fields


def test_no_person_is_none() -> None:
    assert person_summary(None) is None
