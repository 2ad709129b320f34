"""Rollback from an incident: the alias moves back, both objects record it, refusals save nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import selectors, services
from incidents.models import IncidentUpdate, RollbackAction
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases.models import AliasMove, Release
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ModelAliasFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


def _roll(incident: Any, actor: Any, release: Any, kind: str = "model", **kwargs: Any) -> Any:
    return services.incident_rollback(
        incident.pk,
        actor=actor,
        kind=kind,
        release_id=release.pk,
        reason=kwargs.pop("reason", "Answers cite the wrong policy."),
        **kwargs,
    )


def _nothing_saved(incident: Any, pair: SimpleNamespace) -> None:
    assert not RollbackAction.objects.exists()
    assert not IncidentUpdate.objects.filter(incident=incident).exists()
    assert not history_for(incident).exists()
    pair.alias.refresh_from_db()
    assert pair.alias.current_release == pair.live


@pytest.mark.parametrize("kind", ["model", "prompt"])
def test_rollback_moves_the_alias_back_and_both_record_it(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace, kind: str
) -> None:
    action = _roll(incident, cast.incident_owner, live_pair.live, kind=kind)
    live_pair.alias.refresh_from_db()
    live_pair.live.refresh_from_db()
    live_pair.old.refresh_from_db()
    assert live_pair.alias.current_release == live_pair.old
    assert live_pair.live.status == Release.Status.ROLLED_BACK
    assert live_pair.old.status == Release.Status.RELEASED
    # The incident's record
    assert (action.kind, action.release, action.restored_release) == (
        kind,
        live_pair.live,
        live_pair.old,
    )
    update = incident.updates.get()
    assert update.kind == "rollback" and "Answers cite the wrong policy." in update.text
    assert history_for(incident).get().transition == "rollback"
    # The release's record
    entry = history_for(live_pair.live).get()
    assert (entry.transition, entry.actor) == ("roll_back", cast.incident_owner)
    assert entry.comment == f"Incident #{incident.pk}: Answers cite the wrong policy."
    assert live_pair.live.incident_rollbacks.get() == action
    assert AliasMove.objects.filter(alias=live_pair.alias, release=live_pair.old).exists()


def test_nothing_to_roll_back_to_is_refused_and_saves_nothing(
    cast: SimpleNamespace, incident: Any
) -> None:
    first = ReleaseFactory(scenario=cast.scenario, status="released", alias_name="first-alias")
    alias = ModelAliasFactory(name="first-alias", scenario=cast.scenario, current_release=first)
    pair = SimpleNamespace(alias=alias, live=first)
    with pytest.raises(TransitionConflict) as refused:
        _roll(incident, cast.platform, first)
    assert "Nothing to roll back to" in refused.value.message
    _nothing_saved(incident, pair)
    first.refresh_from_db()
    assert first.status == Release.Status.RELEASED


def test_a_release_that_is_not_live_is_refused(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    with pytest.raises(TransitionConflict) as refused:
        _roll(incident, cast.platform, live_pair.old)
    assert refused.value.code == "nothing_to_roll_back"
    assert "superseded" in refused.value.message
    _nothing_saved(incident, live_pair)


def test_release_of_another_scenario_is_refused(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    with pytest.raises(ValidationError):
        _roll(incident, cast.platform, ReleaseFactory(status="released"))
    _nothing_saved(incident, live_pair)


def test_who_may_roll_back(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    for person in (cast.outsider, cast.quality):
        with pytest.raises(PermissionDenied):
            _roll(incident, person, live_pair.live)
    # The prompt owner owns the incident but the release rules keep the alias to the platform
    # and incident owners: refused, nothing half-done.
    with pytest.raises(PermissionDenied):
        _roll(incident, cast.prompt, live_pair.live)
    _nothing_saved(incident, live_pair)
    assert selectors.rollback_choices(incident, cast.prompt)["releases"] == []
    assert selectors.rollback_choices(incident, cast.platform)["releases"] == [live_pair.live]
    assert _roll(incident, cast.platform_owner, live_pair.live).actor == cast.platform_owner


def test_rollback_only_while_the_incident_is_active(
    cast: SimpleNamespace, live_pair: SimpleNamespace
) -> None:
    resolved = IncidentFactory(scenario=cast.scenario, status="resolved")
    with pytest.raises(TransitionConflict):
        _roll(resolved, cast.platform, live_pair.live)
    _nothing_saved(resolved, live_pair)
    assert selectors.rollback_choices(resolved, cast.platform)["tools"] == []


def test_reason_and_kind_are_required(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    with pytest.raises(ValidationError):
        _roll(incident, cast.platform, live_pair.live, reason=" ")
    with pytest.raises(ValidationError):
        _roll(incident, cast.platform, live_pair.live, kind="runtime")


def test_tool_rollback_disables_the_tool_and_records_the_policy_change(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    action = _roll(incident, cast.prompt, live_pair.live, kind="tool", tool_id=live_pair.tool.pk)
    assert not cast.scenario.allowed_tools.filter(pk=live_pair.tool.pk).exists()
    assert (action.kind, action.tool, action.restored_release) == ("tool", live_pair.tool, None)
    scenario_entry = history_for(cast.scenario).get()
    assert scenario_entry.transition == "tool_disabled"
    assert f"incident #{incident.pk}" in scenario_entry.comment
    assert "order-lookup disabled" in incident.updates.get().text
    live_pair.alias.refresh_from_db()
    assert live_pair.alias.current_release == live_pair.live


def test_the_incident_names_who_takes_a_tool_out_and_the_scenario_checks_it(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    from scenarios.services import scenario_disable_tool
    from tests.scenarios.factories import ToolFactory

    # Whom the incident was handed to answers it, though the scenario names them nowhere.
    incident.handed_to = cast.helper
    incident.save(update_fields=["handed_to"])
    _roll(incident, cast.helper, live_pair.live, kind="tool", tool_id=live_pair.tool.pk)
    row = history_for(cast.scenario).get(transition="tool_disabled")
    assert (row.actor, row.as_delegate) == (cast.helper, False)
    # Outside an incident they are nobody to the scenario's tool policy; an admin acting as a
    # delegate is, and the row says so.
    other = ToolFactory(name="refund-issuer")
    cast.scenario.allowed_tools.add(other)
    for person in (cast.helper, cast.admin):
        with pytest.raises(PermissionDenied):
            scenario_disable_tool(cast.scenario.pk, actor=person, tool=other, reason="Leaks.")
    scenario_disable_tool(
        cast.scenario.pk, actor=cast.admin, tool=other, reason="Leaks.", as_delegate=True
    )
    assert not cast.scenario.allowed_tools.filter(pk=other.pk).exists()
    row = history_for(cast.scenario).filter(transition="tool_disabled").last()
    assert row is not None and (row.actor, row.as_delegate) == (cast.admin, True)


def test_tool_not_allowed_is_nothing_to_roll_back(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    cast.scenario.allowed_tools.remove(live_pair.tool)
    with pytest.raises(TransitionConflict) as refused:
        _roll(incident, cast.platform, live_pair.live, kind="tool", tool_id=live_pair.tool.pk)
    assert "not an allowed tool" in refused.value.message
    _nothing_saved(incident, live_pair)
    with pytest.raises(ValidationError):
        _roll(incident, cast.platform, live_pair.live, kind="tool")
