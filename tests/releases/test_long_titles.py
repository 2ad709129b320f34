"""A release title with the characters people type is submitted, and its email is plain text."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from portal.core.models import OutboundEmail

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_release_with_apostrophes_and_ampersands_is_submitted(
    make_release: Any, author: Any
) -> None:
    title = "Q&A prompt: don't 'guess', cite & link " * 5
    release = make_release(title=title[:200])
    client = APIClient()
    client.force_authenticate(author)
    response = client.post(f"/api/v1/releases/{release.pk}/submit/")
    assert response.status_code == 200, response.content
    email = OutboundEmail.objects.get(template="release_submitted")
    assert email.subject.startswith("Sign-off needed: Q&A prompt: don't 'guess'")
    assert len(email.subject) <= 255
