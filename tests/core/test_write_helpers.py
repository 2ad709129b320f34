"""Creations leave one kind of audit row in every app, and acting in someone else's place is
one rule (`portal.core.transitions.delegated`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from exceptions.models import PlatformException
from portal.core.models import AuditEntry
from portal.core.transitions import CREATED, delegated
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db


def test_every_creation_starts_from_the_same_source(
    product_owner: Any, product_team: Any, platform_reviewer: Any
) -> None:
    from exceptions import services as exceptions
    from portal.core import token_services
    from scenarios import services as scenarios
    from support import services as support

    scenario = scenarios.scenario_create(
        actor=product_owner, team=product_team, data={"name": "Refund answers"}
    )
    exception = exceptions.exception_detect(
        actor=platform_reviewer,
        kind="provider_keys",
        detection_note="Keys in CI.",
        team=product_team,
    )
    token_services.token_create(product_owner, name="ci")
    support.support_open(
        actor=product_owner, title="Help", description="How do I onboard?", category="other"
    )
    firsts = AuditEntry.objects.order_by("id")
    assert [(e.content_type.model, e.transition, e.source) for e in firsts] == [
        ("scenario", "create", CREATED),
        ("platformexception", "detect", CREATED),
        ("apitoken", "create", CREATED),
        ("supportrequest", "open", CREATED),
    ]
    assert Scenario.objects.get(pk=scenario.pk) and PlatformException.objects.get(pk=exception.pk)


def test_delegation_is_one_rule(admin_user: Any, product_owner: Any) -> None:
    assert delegated(True, product_owner, as_delegate=False, message="no") is False
    assert delegated(False, admin_user, as_delegate=True, message="no") is True
    with pytest.raises(PermissionDenied, match="no"):
        delegated(False, admin_user, as_delegate=False, message="no")
    with pytest.raises(PermissionDenied):
        delegated(False, product_owner, as_delegate=True, message="no")
    with pytest.raises(PermissionDenied):
        delegated(False, admin_user, as_delegate=True, message="no", may_delegate=False)


def test_tool_registry_edits_are_audited(platform_reviewer: Any) -> None:
    from scenarios.tool_registry import services as tool_services

    tool = tool_services.tool_create(
        actor=platform_reviewer,
        data={"name": "crm-lookup", "description": "Reads CRM", "stability": "stable"},
    )
    tool_services.tool_update(actor=platform_reviewer, pk=tool.pk, data={"description": "Reads"})
    entries = AuditEntry.objects.filter(object_id=str(tool.pk), content_type__model="tool")
    assert [(e.transition, e.source, e.actor, e.comment) for e in entries] == [
        ("create", CREATED, platform_reviewer, ""),
        ("update", "stable", platform_reviewer, "Changed: description."),
    ]
