"""Support requests: the state machine (state x action x person), the services (audit, email,
first answer time) and the HTML pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry, OutboundEmail
from support import selectors, services
from support.models import SupportComment, SupportRequest
from tests.scenarios.factories import ScenarioFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def asked(product_owner: Any) -> SupportRequest:
    return services.support_open(
        actor=product_owner, title="Capacity for launch", description="We expect 10x.",
        category="capacity",
    )  # fmt: skip


# (a) who may do what, in which state, without HTTP

PEOPLE = ["requester", "platform", "other_po", "outsider", "admin"]
EXPECTED = {
    # action: {state: people allowed}
    "answer": {"open": {"platform"}},
    "close": {"open": {"platform"}, "answered": {"platform"}},
    "reopen": {"answered": {"requester", "platform"}, "closed": {"requester", "platform"}},
}


@pytest.mark.parametrize("state", ["open", "answered", "closed"])
@pytest.mark.parametrize("action", ["answer", "close", "reopen"])
def test_matrix(
    state: str, action: str, product_owner: Any, platform_reviewer: Any,
    other_product_owner: Any, outsider: Any, admin_user: Any, product_team: Any,
) -> None:  # fmt: skip
    people = {
        "requester": product_owner, "platform": platform_reviewer, "other_po": other_product_owner,
        "outsider": outsider, "admin": admin_user,
    }  # fmt: skip
    request = SupportRequestFactory(requester=product_owner, team=product_team, status=state)
    allowed = EXPECTED[action].get(state, set())
    for name in PEOPLE:
        names = {t.name for t in request.get_available_user_status_transitions(people[name])}
        assert (action in names) == (name in allowed), (action, state, name)


# (b) services


def test_open_records_team_and_audit(product_owner: Any, product_team: Any, asked: Any) -> None:
    assert asked.status == "open"
    assert asked.team == product_team  # the requester's only product team
    entries = list(history_for(asked))
    assert [(e.source, e.target, e.actor) for e in entries] == [("", "open", product_owner)]


def test_a_scenario_decides_the_team(product_owner: Any, other_team: Any) -> None:
    scenario = ScenarioFactory(team=other_team, status="onboarded")
    request = services.support_open(
        actor=product_owner, title="t", description="d", category="cost", scenario=scenario
    )
    assert request.team == other_team


def test_answer_records_first_answer_once_and_emails_the_requester(
    asked: Any, platform_reviewer: Any, platform_owner: Any, product_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with time_machine.travel(T0, tick=False):
        opened = services.support_open(
            actor=product_owner, title="Cost", description="d", category="cost"
        )
    with (
        time_machine.travel(T0 + dt.timedelta(hours=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.support_answer(opened.pk, actor=platform_reviewer, body="Use the batch alias.")
    opened.refresh_from_db()
    assert opened.status == "answered"
    assert opened.first_answered_at == T0 + dt.timedelta(hours=3)
    assert opened.first_answered_by == platform_reviewer
    assert opened.time_to_first_answer == dt.timedelta(hours=3)
    answer = SupportComment.objects.get(request=opened)
    assert answer.is_answer and answer.body == "Use the batch alias."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [product_owner.email]
    assert "http://testserver/support/" in mail.outbox[0].body
    assert OutboundEmail.objects.filter(template="support_answered").count() == 1
    # Reopened and answered again: the first answer time stays.
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        services.support_reopen(opened.pk, actor=product_owner, comment="Still failing.")
        services.support_answer(opened.pk, actor=platform_owner, body="Try again now.")
    opened.refresh_from_db()
    assert opened.first_answered_at == T0 + dt.timedelta(hours=3)
    assert opened.last_answered_at == T0 + dt.timedelta(days=1)
    transitions = [e.transition for e in history_for(opened)]
    assert transitions == ["open", "answer", "reopen", "answer"]


def test_close_and_reopen_from_closed(
    asked: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    services.support_close(asked.pk, actor=platform_reviewer, comment="Duplicate.")
    asked.refresh_from_db()
    assert asked.status == "closed" and asked.closed_at is not None
    services.support_reopen(asked.pk, actor=product_owner, comment="Not a duplicate.")
    asked.refresh_from_db()
    assert asked.status == "open" and asked.closed_at is None


def test_refusals(asked: Any, product_owner: Any, platform_reviewer: Any, outsider: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.support_answer(asked.pk, actor=product_owner, body="I answer myself")
    with pytest.raises(PermissionDenied):
        services.support_close(asked.pk, actor=product_owner)
    with pytest.raises(TransitionConflict):
        services.support_reopen(asked.pk, actor=product_owner)  # still open
    with pytest.raises(ValidationError):
        services.support_answer(asked.pk, actor=platform_reviewer, body="  ")
    services.support_answer(asked.pk, actor=platform_reviewer, body="Done")
    with pytest.raises(TransitionConflict):
        services.support_answer(asked.pk, actor=platform_reviewer, body="Again")
    with pytest.raises(PermissionDenied):
        services.support_reopen(asked.pk, actor=outsider)
    with pytest.raises(PermissionDenied):
        services.support_update(asked.pk, actor=product_owner, title="Changed after the answer")


def test_platform_does_not_answer_its_own_request(platform_reviewer: Any) -> None:
    own = services.support_open(
        actor=platform_reviewer, title="t", description="d", category="other"
    )
    with pytest.raises(PermissionDenied):
        services.support_answer(own.pk, actor=platform_reviewer, body="x")


def test_admin_answers_only_as_delegate(asked: Any, admin_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.support_answer(asked.pk, actor=admin_user, body="x")
    services.support_answer(asked.pk, actor=admin_user, body="x", as_delegate=True)
    assert history_for(asked).last().as_delegate


def test_edit_and_withdraw_before_an_answer(asked: Any, product_owner: Any, outsider: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.support_update(asked.pk, actor=outsider, title="Mine now")
    services.support_update(asked.pk, actor=product_owner, title="Capacity for the launch")
    asked.refresh_from_db()
    assert asked.title == "Capacity for the launch"
    with pytest.raises(PermissionDenied):
        services.support_delete(asked.pk, actor=outsider)
    services.support_delete(asked.pk, actor=product_owner)
    assert not SupportRequest.objects.filter(pk=asked.pk).exists()


def test_withdrawing_a_request_leaves_an_audit_row(asked: Any, product_owner: Any) -> None:
    services.support_delete(asked.pk, actor=product_owner)
    entry = AuditEntry.objects.filter(object_id=str(asked.pk), transition="delete").get()
    assert entry.content_type == ContentType.objects.get_for_model(SupportRequest)
    assert (entry.source, entry.target, entry.actor) == ("open", "deleted", product_owner)
    assert asked.title in entry.object_repr


def test_queue_and_home_cards(
    asked: Any, platform_reviewer: Any, product_owner: Any, client: Any
) -> None:
    SupportRequestFactory(status="answered")
    assert list(selectors.queue(platform_reviewer)) == [asked]
    assert list(selectors.queue(product_owner)) == []
    assert selectors.work_for(platform_reviewer)["support_queue"]["count"] == 1
    assert "support_answered" not in selectors.work_for(product_owner)
    services.support_answer(asked.pk, actor=platform_reviewer, body="Here.")
    assert selectors.work_for(product_owner)["support_answered"]["count"] == 1
    client.force_login(platform_reviewer)
    assert b"Support requests awaiting an answer" in client.get("/").content


# (c) HTML pages


def test_ask_answer_and_reopen_through_the_pages(
    client: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    client.force_login(product_owner)
    response = client.post(
        "/support/new/", {"title": "Eval format", "category": "tooling", "description": "How?"}
    )
    request = SupportRequest.objects.get(title="Eval format")
    assert response["Location"] == f"/support/{request.pk}/"
    page = client.get(f"/support/{request.pk}/").content.decode()
    assert "Send answer" not in page and f"/support/{request.pk}/edit/" in page
    assert client.post(f"/support/{request.pk}/answer/", {"body": "x"}).status_code == 403
    client.force_login(platform_reviewer)
    assert b"Eval format" in client.get("/support/queue/").content
    assert "Send answer" in client.get(f"/support/{request.pk}/").content.decode()
    client.post(f"/support/{request.pk}/answer/", {"body": "Use JSONL."})
    client.force_login(product_owner)
    page = client.get(f"/support/{request.pk}/").content.decode()
    assert "Use JSONL." in page and f"/support/{request.pk}/reopen/" in page
    client.post(f"/support/{request.pk}/comment/", {"body": "Thanks!"})
    client.post(f"/support/{request.pk}/reopen/", {"comment": "One more thing."})
    request.refresh_from_db()
    assert request.status == "open"
    assert request.comments.count() == 2


def test_wrong_state_is_a_message_and_wrong_method_405(
    client: Any, asked: Any, platform_reviewer: Any
) -> None:
    client.force_login(platform_reviewer)
    response = client.post(f"/support/{asked.pk}/reopen/", {"comment": "x"}, follow=True)
    page = response.content.decode()
    assert "“Reopen” is not available: this support request" in page
    assert "state is “Open”." in page
    assert client.get(f"/support/{asked.pk}/answer/").status_code == 405
    response = client.post(f"/support/{asked.pk}/answer/", {"body": ""}, follow=True)
    assert "Write the answer." in response.content.decode()


def test_pages_for_people(client: Any, asked: Any, outsider: Any, product_owner: Any) -> None:
    assert client.get("/support/").status_code == 302  # anonymous: sign in first
    client.force_login(outsider)
    assert client.get("/support/").status_code == 200
    assert client.get(f"/support/{asked.pk}/").status_code == 200  # everyone reads
    assert client.get("/support/queue/").status_code == 403
    assert client.get(f"/support/{asked.pk}/edit/").status_code == 403
    assert client.get("/support/999999/").status_code == 404
    client.force_login(product_owner)
    response = client.get("/support/?mine=on&status=open")
    assert [r.pk for r in response.context["page_obj"].object_list] == [asked.pk]
    assert client.post(f"/support/{asked.pk}/delete/").status_code == 302
    assert not SupportRequest.objects.filter(pk=asked.pk).exists()


def test_draft_scenarios_of_others_are_not_offered(
    client: Any, outsider: Any, product_team: Any
) -> None:
    draft = ScenarioFactory(status="draft", team=product_team)
    live = ScenarioFactory(status="onboarded", team=product_team)
    client.force_login(outsider)
    choices = client.get("/support/new/").context["form"].fields["scenario"].queryset
    assert live in choices and draft not in choices


def test_admin_acts_as_delegate_from_the_page(client: Any, asked: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    page = client.get(f"/support/{asked.pk}/").content.decode()
    assert "Answer as a delegate" in page and "Close as delegate" in page
    client.post(f"/support/{asked.pk}/answer/", {"body": "Covered.", "as_delegate": "1"})
    asked.refresh_from_db()
    assert asked.status == "answered"
    assert history_for(asked).last().as_delegate
    client.post(f"/support/{asked.pk}/close/", {"as_delegate": "1"})
    asked.refresh_from_db()
    assert asked.status == "closed"


def test_edits_and_comments_leave_audit_rows(asked: SupportRequest, product_owner: Any) -> None:
    services.support_update(asked.pk, actor=product_owner, title="Capacity for the launch")
    services.support_comment(asked.pk, actor=product_owner, body="Launch moved to May.")
    rows = [(e.transition, e.actor, e.comment) for e in history_for(asked)][1:]
    assert rows == [
        ("update", product_owner, "Changed: title."),
        ("comment", product_owner, "Launch moved to May."),
    ]
