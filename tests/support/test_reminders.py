"""Support requests wait for a first answer like every other wait: an SLA, reminders, escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from portal.reminders.models import Reminder
from support import services
from support.models import SupportRequest
from tests.reminders.conftest import sweep_at

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _opened(actor: Any, category: str = "devex") -> SupportRequest:
    request = services.support_open(
        actor=actor, title="How do I install the CLI?", description="Pip fails.", category=category
    )
    SupportRequest.objects.filter(pk=request.pk).update(opened_at=T0)
    return request


def test_an_unanswered_request_reminds_the_platform_at_its_sla(
    settings: Any, product_owner: Any, platform_reviewer: Any, platform_owner: Any
) -> None:
    request = _opened(product_owner)
    sla = dt.timedelta(hours=settings.PORTAL["SLA_SUPPORT_ANSWER_HOURS"])

    sweep_at(T0 + sla - dt.timedelta(seconds=1))
    assert not Reminder.objects.filter(reason="support_answer").exists()

    sweep_at(T0 + sla)
    reminded = {r.recipient.username for r in Reminder.objects.filter(reason="support_answer")}
    assert reminded == {"reviewer", "platform-owner"}  # the platform, never the requester
    links = [m for m in mail.outbox if f"http://testserver{request.get_absolute_url()}" in m.body]
    assert len(links) == 2


def test_a_platform_member_is_not_reminded_of_their_own_request(
    platform_reviewer: Any, platform_owner: Any
) -> None:
    _opened(platform_reviewer)
    sweep_at(T0 + dt.timedelta(days=2))
    reminded = {r.recipient.username for r in Reminder.objects.filter(reason="support_answer")}
    assert reminded == {"platform-owner"}


def test_an_answered_request_is_not_reminded(product_owner: Any, platform_reviewer: Any) -> None:
    request = _opened(product_owner, category="onboarding")
    services.support_answer(request.pk, actor=platform_reviewer, body="Use the platform's index.")
    sweep_at(T0 + dt.timedelta(days=3))
    assert not Reminder.objects.filter(reason="support_answer").exists()


def test_devex_is_a_support_category() -> None:
    assert SupportRequest.Category.DEVEX == "devex"
    assert "onboarding" in SupportRequest.Category.values
