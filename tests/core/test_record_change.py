"""`record_change`, the audit row of a write that is not a django-fsm transition: only inside
the transaction of the change, the row as given, the after-commit work only after the commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from portal.core.audit import history_for
from portal.core.transitions import record_change
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_outside_a_transaction_it_refuses_and_writes_nothing() -> None:
    scenario, actor = ScenarioFactory(), UserFactory()
    before = history_for(scenario).count()
    with pytest.raises(RuntimeError, match="outside the transaction"):
        record_change(scenario, action="note", source="draft", actor=actor)
    assert history_for(scenario).count() == before


def test_the_row_says_what_changed_and_the_work_runs_after_the_commit() -> None:
    scenario, actor = ScenarioFactory(), UserFactory()
    ran: list[str] = []
    with transaction.atomic():
        record_change(
            scenario,
            action="hand_over",
            source="live",
            actor=actor,
            comment="Handed over.",
            as_delegate=True,
            on_commit=lambda: ran.append("after"),
        )
        assert ran == []
    assert ran == ["after"]
    row = history_for(scenario).last()
    assert row is not None
    assert (row.transition, row.source, row.target, row.actor, row.comment, row.as_delegate) == (
        "hand_over", "live", "live", actor, "Handed over.", True,
    )  # fmt: skip


def test_a_rolled_back_change_leaves_no_row_and_runs_nothing() -> None:
    scenario, actor = ScenarioFactory(), UserFactory()
    before = history_for(scenario).count()
    ran: list[Any] = []
    with pytest.raises(ValueError), transaction.atomic():
        record_change(
            scenario, action="revoke", source="active", target="revoked", actor=actor,
            on_commit=lambda: ran.append(1),
        )  # fmt: skip
        raise ValueError("the write after it failed")
    assert history_for(scenario).count() == before and ran == []
