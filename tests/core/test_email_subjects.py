"""Email subjects: plain text from user fields, and shortened rather than refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal.core import notifications
from portal.core.models import OutboundEmail

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _test_templates(settings: Any) -> None:
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    settings.TEMPLATES = [engine]


@pytest.mark.django_db
def test_subject_is_plain_text_without_html_entities(outsider: Any) -> None:
    name = "O'Brien's \"Q&A\" <bot>"
    email = notifications.send_templated("test_notice", [outsider], {"name": name})
    assert email is not None
    email.refresh_from_db()
    assert email.subject == "Review O'Brien's \"Q&A\" <bot> now"
    assert "&" in email.subject and "&amp;" not in email.subject and "&#x27;" not in email.subject


@pytest.mark.django_db
def test_long_subject_is_shortened_to_the_column(outsider: Any) -> None:
    limit = OutboundEmail._meta.get_field("subject").max_length
    email = notifications.send_templated("test_notice", [outsider], {"name": "&" * 400})
    assert email is not None
    email.refresh_from_db()
    assert len(email.subject) == limit
    assert email.subject.startswith("Review &&&") and email.subject.endswith("…")


def test_short_subject_is_kept_whole() -> None:
    subject, _text, _html = notifications.render_email("test_notice", {"name": "x" * 100})
    assert subject == f"Review {'x' * 100} now"
