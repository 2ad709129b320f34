"""A reminder is written in its recipient's language, the texts built for it too."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail

from portal.core.models import User
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0, sweep_at

pytestmark = pytest.mark.django_db


def test_each_reminder_speaks_its_recipients_language(cast: SimpleNamespace) -> None:
    User.objects.filter(pk=cast.quality_owner.pk).update(language="ru")
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    sweep_at(T0 + dt.timedelta(hours=24))

    by_address = {message.to[0]: message for message in mail.outbox}
    russian, english = by_address["quality@example.com"], by_address["cost@example.com"]
    # How long it waited comes from Django's own catalogue, so it shows on any branch.
    assert "1\xa0день" in russian.body and "1\xa0день" in russian.alternatives[0][0]
    assert "1\xa0day" in english.body and "день" not in english.body
