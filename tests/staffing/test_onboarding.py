"""Team onboarding: state x transition x person, the checklist guard, ticks, audit, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core import roles
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.reminders.models import Reminder
from staffing import checklist, services
from staffing.models import CHECKED_FROM_DATA, ChecklistItem, TeamOnboarding
from tests.factories import UserFactory
from tests.reminders.conftest import sweep_at
from tests.scenarios.factories import ScenarioFactory, ScenarioTemplateFactory

pytestmark = pytest.mark.django_db

MANUAL = [item for item in ChecklistItem.values if item not in CHECKED_FROM_DATA]


def _complete_checklist(onboarding: Any, actor: Any) -> None:
    ScenarioFactory(
        team=onboarding.team, template=ScenarioTemplateFactory(), status="draft", complete=False
    )
    for item in MANUAL:
        services.onboarding_tick(onboarding.pk, actor=actor, item=item)


def _in_state(onboarding: Any, state: str, actor: Any) -> None:
    if state in ("in_progress", "onboarded"):
        services.onboarding_start(onboarding.pk, actor=actor)
    if state == "onboarded":
        _complete_checklist(onboarding, actor)
        services.onboarding_complete(onboarding.pk, actor=actor)


# The onboarding owner (platform_reviewer) and the team's product owner may advance it; another
# platform member, another team's product owner, admins acting in their own right and outsiders
# may not.
PEOPLE = {
    "platform_reviewer": True,
    "product_owner": True,
    "platform_owner": False,
    "other_product_owner": False,
    "quality_owner": False,
    "admin_user": False,
    "outsider": False,
}
TRANSITIONS = {"start": "in_progress", "complete": "onboarded"}
SOURCES = {"start": "requested", "complete": "in_progress"}


@pytest.mark.parametrize("state", ["requested", "in_progress", "onboarded"])
@pytest.mark.parametrize("transition", ["start", "complete"])
@pytest.mark.parametrize("who", list(PEOPLE))
def test_state_x_transition_x_person(
    request: pytest.FixtureRequest, onboarding: Any, platform_reviewer: Any, state: str,
    transition: str, who: str,
) -> None:  # fmt: skip
    _in_state(onboarding, state, platform_reviewer)
    if transition == "complete" and state == "in_progress":
        _complete_checklist(onboarding, platform_reviewer)
    person = request.getfixturevalue(who)
    service = getattr(services, f"onboarding_{transition}")
    before = history_for(onboarding).count()
    if state != SOURCES[transition]:
        with pytest.raises(TransitionConflict):
            service(onboarding.pk, actor=person)
    elif not PEOPLE[who]:
        with pytest.raises(PermissionDenied):
            service(onboarding.pk, actor=person)
    else:
        done = service(onboarding.pk, actor=person)
        assert done.status == TRANSITIONS[transition]
        row = history_for(onboarding).order_by("seq").last()
        assert (row.transition, row.source, row.target, row.actor) == (
            transition, state, TRANSITIONS[transition], person,
        )  # fmt: skip
        return
    onboarding.refresh_from_db()
    assert onboarding.status == state
    assert history_for(onboarding).count() == before


def test_an_admin_may_advance_only_as_a_recorded_delegate(onboarding: Any, admin_user: Any) -> None:
    done = services.onboarding_start(onboarding.pk, actor=admin_user, as_delegate=True)
    assert done.status == "in_progress"
    assert history_for(onboarding).order_by("seq").last().as_delegate is True


def test_onboarded_only_with_the_whole_checklist_each_open_item_named(
    onboarding: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    services.onboarding_start(onboarding.pk, actor=product_owner)
    services.onboarding_tick(onboarding.pk, actor=product_owner, item="gateway_access")
    with pytest.raises(TransitionConflict) as caught:
        services.onboarding_complete(onboarding.pk, actor=platform_reviewer)
    assert caught.value.code == "checklist_incomplete"
    message = caught.value.message
    assert "First scenario drafted from a golden-path template" in message
    assert "SDK or CLI installed" in message
    assert "Gateway access" not in message
    assert "Product owner named" not in message  # the team has an active product owner
    onboarding.refresh_from_db()
    assert onboarding.status == "in_progress"

    _complete_checklist(onboarding, platform_reviewer)
    done = services.onboarding_complete(onboarding.pk, actor=platform_reviewer)
    assert done.status == "onboarded" and done.onboarded_at is not None


def test_items_the_portal_checks_come_from_data(onboarding: Any, product_owner: Any) -> None:
    def done() -> dict[str, bool]:
        return {item.code: item.done for item in checklist.items(onboarding)}

    assert done()["product_owner"] is True
    assert done()["template_scenario"] is False
    ScenarioFactory(team=onboarding.team, template=None, status="draft", complete=False)
    assert done()["template_scenario"] is False  # off the golden path: does not count
    ScenarioFactory(
        team=onboarding.team, template=ScenarioTemplateFactory(), status="draft", complete=False
    )
    assert done()["template_scenario"] is True

    product_owner.is_active = False
    product_owner.save(update_fields=["is_active"])
    assert done()["product_owner"] is False  # a product owner who left names nobody


def test_a_tick_is_audited_and_repeating_it_is_harmless(
    onboarding: Any, product_owner: Any
) -> None:
    first = services.onboarding_tick(onboarding.pk, actor=product_owner, item="sdk_installed")
    again = services.onboarding_tick(onboarding.pk, actor=product_owner, item="sdk_installed")
    assert first.pk == again.pk
    rows = history_for(onboarding).filter(transition="tick")
    assert [(r.actor, r.comment) for r in rows] == [(product_owner, "Done: SDK or CLI installed.")]


@pytest.mark.parametrize("item", ["product_owner", "template_scenario", "bogus"])
def test_items_checked_from_data_or_unknown_cannot_be_ticked(
    onboarding: Any, product_owner: Any, item: str
) -> None:
    with pytest.raises(ValidationError):
        services.onboarding_tick(onboarding.pk, actor=product_owner, item=item)
    assert onboarding.ticks.count() == 0


def test_outsiders_cannot_tick_and_nobody_ticks_after_onboarding(
    onboarding: Any, other_product_owner: Any, platform_reviewer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.onboarding_tick(onboarding.pk, actor=other_product_owner, item="model_read")
    _in_state(onboarding, "onboarded", platform_reviewer)
    onboarding.ticks.filter(item="model_read").delete()
    with pytest.raises(TransitionConflict):
        services.onboarding_tick(onboarding.pk, actor=platform_reviewer, item="model_read")


def test_request_rules(
    product_team: Any, other_team: Any, platform_team: Any, product_owner: Any,
    platform_reviewer: Any, outsider: Any,
) -> None:  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.onboarding_request(actor=product_owner, team=other_team,
                                    onboarding_owner=platform_reviewer)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.onboarding_request(actor=outsider, team=product_team,
                                    onboarding_owner=platform_reviewer)  # fmt: skip
    with pytest.raises(ValidationError, match="active platform member"):
        services.onboarding_request(actor=product_owner, team=product_team,
                                    onboarding_owner=product_owner)  # fmt: skip
    with pytest.raises(ValidationError, match="product teams"):
        services.onboarding_request(actor=platform_reviewer, team=platform_team,
                                    onboarding_owner=platform_reviewer)  # fmt: skip
    assert TeamOnboarding.objects.count() == 0
    made = services.onboarding_request(
        actor=product_owner, team=product_team, onboarding_owner=platform_reviewer
    )
    row = history_for(made).get()
    assert (row.transition, row.source, row.target, row.actor) == (
        "request", "", "requested", product_owner,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="exists already"):
        services.onboarding_request(actor=product_owner, team=product_team,
                                    onboarding_owner=platform_reviewer)  # fmt: skip


def test_the_onboarding_owner_is_reminded_while_it_waits(
    settings: Any, onboarding: Any, platform_reviewer: Any
) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    TeamOnboarding.objects.filter(pk=onboarding.pk).update(requested_at=start)
    UserFactory(username="other-platform", roles=[roles.PLATFORM_REVIEWER])
    sla = dt.timedelta(hours=settings.PORTAL["SLA_TEAM_ONBOARDING_HOURS"])

    sweep_at(start + sla - dt.timedelta(seconds=1))
    assert not Reminder.objects.filter(reason="team_onboarding").exists()

    sweep_at(start + sla)
    reminded = Reminder.objects.filter(reason="team_onboarding")
    assert [r.recipient for r in reminded] == [platform_reviewer]
    [sent] = [m for m in mail.outbox if platform_reviewer.email in m.to]
    assert f"http://testserver{onboarding.get_absolute_url()}" in sent.body
    assert "Walk the team through" in sent.body


def test_an_onboarded_team_is_not_reminded(onboarding: Any, platform_reviewer: Any) -> None:
    _in_state(onboarding, "onboarded", platform_reviewer)
    TeamOnboarding.objects.filter(pk=onboarding.pk).update(
        requested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    sweep_at(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert not Reminder.objects.filter(reason="team_onboarding").exists()
