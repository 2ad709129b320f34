"""The Slack sign-off path reads the one sign-off table: a submitted release's message carries
an Approve and a Reject button for each kind given in that state (`SIGNOFF_RULES`), labelled as
the sign-off kinds and decisions are, and a click for any other kind is not one of ours."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError

from integrations import chat, slack
from portal.core.models import Event
from releases.models import SIGNOFF_RULES, Release, SignOff

SUBMITTED = Event(
    type="release.submitted",
    team_slug="support-ai",
    payload={"data": {"object": {"id": 7, "revision": 2, "title": "v2",
                                 "url": "http://testserver/releases/7/"}}},
)  # fmt: skip


def _buttons() -> list[dict[str, object]]:
    [actions] = [b for b in chat.render("slack", SUBMITTED)["blocks"] if b["type"] == "actions"]
    return list(actions["elements"])


def test_a_submitted_release_has_a_button_per_kind_signed_in_that_state_and_decision() -> None:
    kinds = [k for k, rule in SIGNOFF_RULES.items() if rule.state == Release.Status.SUBMITTED]
    wanted = [f"signoff:{k}:{d}" for k in kinds for d in SignOff.Decision.values]
    buttons = _buttons()
    assert [b["action_id"] for b in buttons] == wanted
    texts = [b["text"]["text"] for b in buttons]  # type: ignore[index]
    assert texts == [
        f"{SignOff.Kind(k).label}: {SignOff.Decision(d).label}"
        for k in kinds
        for d in SignOff.Decision.values
    ]
    assert {b["value"] for b in buttons} == {"7:2"}


def _payload(action_id: str) -> bytes:
    payload = {
        "type": "block_actions", "team": {"id": "T0"}, "user": {"id": "U0"},
        "response_url": "http://127.0.0.1/respond",
        "actions": [{"action_id": action_id, "value": "7:2"}],
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)}).encode()


@pytest.mark.parametrize("kind", [k for k, r in SIGNOFF_RULES.items() if r.state != "submitted"])
def test_a_click_for_a_kind_not_signed_at_submit_is_refused(kind: str) -> None:
    with pytest.raises(ValidationError):
        slack.parse(_payload(f"signoff:{kind}:approve"))


@pytest.mark.parametrize("kind", [k for k, r in SIGNOFF_RULES.items() if r.state == "submitted"])
def test_a_click_for_a_review_kind_is_read(kind: str) -> None:
    click = slack.parse(_payload(f"signoff:{kind}:reject"))
    assert (click.kind, click.decision, click.release_id, click.revision) == (kind, "reject", 7, 2)
