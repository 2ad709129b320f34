"""Sign-offs from Slack: signed with a test signing secret, answered on a loopback response_url.
Replayed, tampered, late and unsigned requests change nothing; an unlinked user is sent to link
their account; the browser's rules hold (named owner only, eval gate); stale buttons say why."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from slack_sdk.signature import SignatureVerifier

from integrations.models import SlackIdentity
from portal.core.models import AuditEntry
from releases.models import Release, SignOff
from tests.integrations.receiver import Received
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db
SECRET = "test-signing-secret"  # noqa: S105  a fixed secret for these tests only
URL = "/integrations/slack/interactions/"
WORKSPACE = "T0TEST"


@pytest.fixture(autouse=True)
def _signing_secret(settings: Any) -> None:
    settings.SLACK_SIGNING_SECRET = SECRET


@pytest.fixture
def submitted(cast: SimpleNamespace) -> Release:
    return ReleaseFactory(scenario=cast.scenario, status="submitted", alias_name="support-chat")


def _link(user: Any, slack_user: str) -> None:
    SlackIdentity.objects.create(user=user, slack_team_id=WORKSPACE, slack_user_id=slack_user)


def _body(release: Release, slack_user: str, action: str, response_url: str, reason: str = "",
          revision: int | None = None) -> bytes:  # fmt: skip
    payload = {
        "type": "block_actions", "team": {"id": WORKSPACE}, "user": {"id": slack_user},
        "response_url": response_url, "trigger_id": uuid.uuid4().hex,  # unique per click
        "actions": [{"action_id": f"signoff:{action}", "value": f"{release.pk}:{revision or release.revision}"}],
        "state": {"values": {"reason": {"reason_input": {"type": "plain_text_input", "value": reason or None}}}},
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)}).encode()


def _headers(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": str(signature)}


def _post(client: Client, body: bytes, headers: dict[str, str], callbacks: Any) -> Any:
    with callbacks(execute=True):
        return client.post(
            URL, data=body, content_type="application/x-www-form-urlencoded", headers=headers
        )


def _click(client: Client, callbacks: Any, *args: Any, **kwargs: Any) -> Any:
    body = _body(*args, **kwargs)
    return _post(client, body, _headers(body), callbacks)


def test_the_named_owner_approves_from_slack(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.quality_owner, "UQUALITY")
    response = _click(Client(), django_capture_on_commit_callbacks, submitted, "UQUALITY",
                      "quality:approve", f"{receiver}/respond")  # fmt: skip
    assert response.status_code == 200
    signoff = SignOff.objects.get(release=submitted)
    assert (signoff.kind, signoff.decision, signoff.actor) == (
        "quality",
        "approve",
        cast.quality_owner,
    )
    audit = AuditEntry.objects.get(transition="sign_off_quality_approve")
    assert audit.actor == cast.quality_owner and "via Slack" in audit.comment
    [answer] = received.posts
    assert answer["path"] == "/respond" and answer["body"]["replace_original"] is True
    assert (
        "Quality sign-off approved by" in answer["body"]["text"]
        and "via Slack" in answer["body"]["text"]
    )


def test_both_sign_offs_from_slack_approve_the_release(
    cast: SimpleNamespace, submitted: Release, receiver: str, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.quality_owner, "UQUALITY")
    _link(cast.cost_owner, "UCOST")
    client, url = Client(), f"{receiver}/respond"
    _click(
        client, django_capture_on_commit_callbacks, submitted, "UQUALITY", "quality:approve", url
    )
    _click(client, django_capture_on_commit_callbacks, submitted, "UCOST", "cost:approve", url)
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_reject_needs_a_reason_typed_in_the_message(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.cost_owner, "UCOST")
    client, url = Client(), f"{receiver}/respond"
    _click(client, django_capture_on_commit_callbacks, submitted, "UCOST", "cost:reject", url)
    assert not SignOff.objects.exists()
    assert received.posts[-1]["body"]["response_type"] == "ephemeral"
    assert "Give a reason" in received.posts[-1]["body"]["text"]
    _click(client, django_capture_on_commit_callbacks, submitted, "UCOST", "cost:reject", url,
           reason="Over budget by a third.")  # fmt: skip
    submitted.refresh_from_db()
    assert submitted.status == "rejected"
    assert SignOff.objects.get().comment == "Over budget by a third."


def test_a_replayed_request_is_refused(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.quality_owner, "UQUALITY")
    body = _body(submitted, "UQUALITY", "quality:approve", f"{receiver}/respond")
    headers = _headers(body)
    assert _post(Client(), body, headers, django_capture_on_commit_callbacks).status_code == 200
    replay = _post(Client(), body, headers, django_capture_on_commit_callbacks)
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    assert SignOff.objects.count() == 1 and received.count() == 1


@pytest.mark.parametrize("forgery", ["tampered", "late", "unsigned", "wrong secret"])
def test_forged_late_and_unsigned_requests_change_nothing(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received, forgery: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.quality_owner, "UQUALITY")
    body = _body(submitted, "UQUALITY", "quality:approve", f"{receiver}/respond")
    headers = {
        "tampered": _headers(_body(submitted, "UQUALITY", "quality:reject", f"{receiver}/respond")),
        "late": _headers(body, timestamp=int(time.time()) - 6 * 60),
        "unsigned": {},
        "wrong secret": _headers(body, secret="another-secret"),
    }[forgery]
    response = _post(Client(), body, headers, django_capture_on_commit_callbacks)
    assert response.status_code == 401
    assert not SignOff.objects.exists() and received.count() == 0


def test_an_unlinked_slack_user_is_sent_to_link_once(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    url = f"{receiver}/respond"
    _click(
        Client(), django_capture_on_commit_callbacks, submitted, "UQUALITY", "quality:approve", url
    )
    assert not SignOff.objects.exists()
    answer = received.posts[-1]["body"]
    assert answer["response_type"] == "ephemeral" and "not linked" in answer["text"]
    link = answer["text"].split("<", 1)[1].split("|", 1)[0]
    path = urlsplit(link)
    token = parse_qs(path.query)["token"][0]

    browser = Client()
    browser.force_login(cast.quality_owner)
    page = browser.get(path.path, {"token": token})
    assert page.status_code == 200 and "Link my Slack account" in page.content.decode()
    assert browser.post(path.path, {"token": token}).status_code == 302
    identity = SlackIdentity.objects.get(user=cast.quality_owner)
    assert (identity.slack_team_id, identity.slack_user_id) == (WORKSPACE, "UQUALITY")
    assert AuditEntry.objects.filter(transition="link_slack", actor=cast.quality_owner).exists()

    _click(
        Client(), django_capture_on_commit_callbacks, submitted, "UQUALITY", "quality:approve", url
    )
    assert SignOff.objects.get().actor == cast.quality_owner


def test_a_forged_link_token_links_nothing(cast: SimpleNamespace) -> None:
    browser = Client()
    browser.force_login(cast.quality_owner)
    response = browser.post(
        "/integrations/slack/link/", {"token": "eyJ0IjoiVDEiLCJ1IjoiVTEifQ:forged"}
    )
    assert response.status_code == 400 and not SlackIdentity.objects.exists()


def test_a_person_not_named_for_the_sign_off_is_refused(
    cast: SimpleNamespace, submitted: Release, receiver: str, received: Received,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _link(cast.cost_owner, "UCOST")
    _click(Client(), django_capture_on_commit_callbacks, submitted, "UCOST", "quality:approve",
           f"{receiver}/respond")  # fmt: skip
    assert not SignOff.objects.exists()
    answer = received.posts[-1]["body"]
    assert answer["response_type"] == "ephemeral"
    assert "Only the scenario's named owner may give the quality sign-off." in answer["text"]


def test_the_author_never_signs_their_own_release(
    cast: SimpleNamespace, receiver: str, received: Received, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    own = ReleaseFactory(scenario=cast.scenario, status="submitted", author=cast.quality_owner)
    _link(cast.quality_owner, "UQUALITY")
    _click(Client(), django_capture_on_commit_callbacks, own, "UQUALITY", "quality:approve",
           f"{receiver}/respond")  # fmt: skip
    assert (
        not SignOff.objects.exists() and "Only the scenario" in received.posts[-1]["body"]["text"]
    )


def test_the_eval_gate_holds_in_slack(
    cast: SimpleNamespace, receiver: str, received: Received, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    below = ReleaseFactory(scenario=cast.scenario, status="submitted", eval_score=Decimal("1"))
    _link(cast.quality_owner, "UQUALITY")
    _click(Client(), django_capture_on_commit_callbacks, below, "UQUALITY", "quality:approve",
           f"{receiver}/respond")  # fmt: skip
    assert not SignOff.objects.exists()
    assert "threshold" in received.posts[-1]["body"]["text"].lower()


@pytest.mark.parametrize("stale", ["already approved", "older revision"])
def test_a_stale_button_answers_with_the_current_state(
    cast: SimpleNamespace, receiver: str, received: Received, stale: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    if stale == "already approved":
        release = ReleaseFactory(scenario=cast.scenario, status="approved")
        revision = None
    else:
        release = ReleaseFactory(scenario=cast.scenario, status="submitted", revision=2)
        revision = 1
    _link(cast.quality_owner, "UQUALITY")
    _click(Client(), django_capture_on_commit_callbacks, release, "UQUALITY", "quality:approve",
           f"{receiver}/respond", revision=revision)  # fmt: skip
    assert not SignOff.objects.exists()
    text = received.posts[-1]["body"]["text"]
    assert (
        f"is now {release.get_status_display().lower()}" in text and "nothing was changed" in text
    )


def test_a_signed_request_that_is_no_button_of_ours_is_a_400(db: Any) -> None:
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode()
    response = Client().post(URL, data=body, content_type="application/x-www-form-urlencoded",
                             headers=_headers(body))  # fmt: skip
    assert response.status_code == 400 and response.json()["detail"]


def test_without_a_signing_secret_every_request_is_refused(settings: Any, db: Any) -> None:
    settings.SLACK_SIGNING_SECRET = ""
    body = b"payload=%7B%7D"
    assert Client().post(URL, data=body, content_type="application/x-www-form-urlencoded",
                         headers=_headers(body)).status_code == 401  # fmt: skip


def test_unlinking_is_for_the_signed_in_person_and_audited(
    product_owner: Any, inactive_user: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from integrations import services

    _link(product_owner, "U0OWN")
    _link(inactive_user, "U0GONE")
    with pytest.raises(PermissionDenied):
        services.slack_unlink(actor=inactive_user)
    assert SlackIdentity.objects.filter(user=inactive_user).exists()
    services.slack_unlink(actor=product_owner)
    assert not SlackIdentity.objects.filter(user=product_owner).exists()
    row = AuditEntry.objects.get(transition="unlink_slack")
    assert (row.source, row.target, row.actor) == ("linked", "unlinked", product_owner)
