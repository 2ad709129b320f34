"""The one shared instance of a read-only serializer shows each object exactly as a new
instance per object does (DRF's `Serializer(obj).data`), whatever it showed before."""

from __future__ import annotations

import pytest

from portal.core.serializer_cache import shown
from releases.serializers import ReleaseSerializer
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def test_the_shared_instance_shows_what_a_new_one_shows() -> None:
    releases = [ReleaseFactory(), ReleaseFactory(status="submitted"), ReleaseFactory()]
    assert shown(ReleaseSerializer) is shown(ReleaseSerializer)
    for release in [*releases, releases[0]]:
        assert shown(ReleaseSerializer).to_representation(release) == dict(
            ReleaseSerializer(release).data
        )
