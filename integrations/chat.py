"""Events as chat messages: Slack Block Kit and a Microsoft Teams Adaptive Card, with deep links.

A `release.submitted` message in Slack carries Approve and Reject buttons for the quality and
the cost sign-off; their value names the release and its revision, so a click on a button of
an older revision is answered with the current state instead of acting (see slack.py).

A channel is the whole team's, so its messages are in the portal's language (LANGUAGE_CODE),
whoever's action sent them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from portal.core.models import Event
from releases.models import REVIEW_KINDS, SIGNOFF_RULES, SignOff

# The buttons of a submitted release: the sign-offs given in that state (`REVIEW_KINDS`, from
# the one sign-off table), each approved or rejected.
DECISION_STYLES = {SignOff.Decision.APPROVE: "primary", SignOff.Decision.REJECT: "danger"}
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"


def _summary(event: Event) -> tuple[str, str, str]:
    """(headline, details, deep link) of an event."""
    data = event.payload.get("data", {})
    obj = data.get("object") or {}
    name = obj.get("name") or obj.get("title") or obj.get("alias_name") or data.get("alias", "")
    kind, _dot, verb = event.type.partition(".")
    headline = f"{kind.capitalize()} {verb.replace('_', ' ')}: {name}".strip().rstrip(":")
    actor = (data.get("actor") or data.get("moved_by") or {}).get("name") or ""
    by = gettext("by %(actor)s") % {"actor": actor} if actor else ""
    details = " ".join(filter(None, [by, data.get("comment") or ""]))
    return headline, details, obj.get("url", "")


def _sign_off_blocks(event: Event) -> list[dict[str, Any]]:
    obj = event.payload["data"]["object"]
    value = f"{obj['id']}:{obj['revision']}"
    buttons = []
    for kind in REVIEW_KINDS:
        for decision, style in DECISION_STYLES.items():
            text = gettext("%(kind)s: %(decision)s") % {
                "kind": SIGNOFF_RULES[kind].label,
                "decision": decision.label,
            }
            buttons.append({
                "type": "button", "style": style, "value": value,
                "action_id": f"signoff:{kind}:{decision}",
                "text": {"type": "plain_text", "text": text},
            })  # fmt: skip
    reason = {
        "type": "input", "block_id": REASON_BLOCK, "optional": True,
        "label": {"type": "plain_text", "text": gettext("Reason (required to reject)")},
        "element": {"type": "plain_text_input", "action_id": REASON_INPUT},
    }  # fmt: skip
    return [reason, {"type": "actions", "block_id": "signoff", "elements": buttons}]


def slack_message(event: Event) -> dict[str, Any]:
    headline, details, url = _summary(event)
    text = f"*{headline}*" + (f"\n{details}" if details else "")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if url:
        link = f"<{url}|{gettext('Open in the portal')}>"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
    if event.type == "release.submitted":
        blocks += _sign_off_blocks(event)
    return {"text": headline, "blocks": blocks}


def teams_message(event: Event) -> dict[str, Any]:
    headline, details, url = _summary(event)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": "1.4",
        "body": [{"type": "TextBlock", "text": headline, "weight": "Bolder", "wrap": True},
                 {"type": "TextBlock", "text": details, "wrap": True, "isSubtle": True}],
        "actions": [{"type": "Action.OpenUrl", "title": gettext("Open in the portal"), "url": url}] if url else [],
    }  # fmt: skip
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def render(kind: str, event: Event) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        return slack_message(event) if kind == "slack" else teams_message(event)


def outcome_message(text: str, *, replace: bool) -> dict[str, Any]:
    """A response_url message: the updated original, or a note only the clicker sees."""
    message: dict[str, Any] = {"text": text, "replace_original": replace}
    if replace:
        message["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    else:
        message["response_type"] = "ephemeral"
    return message
