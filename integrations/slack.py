"""Sign-offs from Slack: the interaction endpoint's logic.

The request is checked with slack-sdk's signature verifier (signature and a timestamp at most
five minutes old); each accepted signature is stored, so the same request sent again is refused.
The Slack user must have linked their portal account; the click then runs the browser's
`release_sign_off` with its policy and gates, and the audit row says "via Slack". The outcome
goes back to the message through its response_url, after the commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from slack_sdk.signature import SignatureVerifier

from integrations import chat
from integrations.models import SlackIdentity, SlackRequest
from integrations.services import slack_link_token
from portal.core.errors import TransitionConflict
from portal.core.notifications import absolute_url
from releases.models import REVIEW_KINDS, SIGNOFF_RULES, Release, SignOff
from releases.services import release_sign_off

VIA_SLACK = "via Slack"


class Refused(Exception):
    """The request is not one Slack signed just now: answered 401 and nothing changes."""


@dataclass(frozen=True)
class Click:
    slack_team_id: str
    slack_user_id: str
    kind: str
    decision: str
    release_id: int
    revision: int
    reason: str
    response_url: str


def verify(body: bytes, headers: dict[str, str]) -> None:
    """Refuse unsigned, tampered, late and replayed requests."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret or not SignatureVerifier(secret).is_valid_request(body, headers):
        raise Refused("The request is not signed by Slack, or its timestamp is too old.")
    try:
        with transaction.atomic():
            SlackRequest.objects.create(signature=headers.get("x-slack-signature", ""))
    except IntegrityError as exc:
        raise Refused("This request was already received (a replay).") from exc


def parse(body: bytes) -> Click:
    """The click a block_actions payload describes; ValidationError when it is none we sent."""
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        action = payload["actions"][0]
        prefix, kind, decision = action["action_id"].split(":")
        release_id, revision = (int(part) for part in action["value"].split(":"))
        reason = (payload.get("state", {}).get("values", {}).get(chat.REASON_BLOCK, {})
                  .get(chat.REASON_INPUT, {}).get("value") or "")  # fmt: skip
        click = Click(payload["team"]["id"], payload["user"]["id"], kind, decision,
                      release_id, revision, reason.strip(), payload["response_url"])  # fmt: skip
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise ValidationError("Not a sign-off button of this portal.") from exc
    if prefix != "signoff" or kind not in REVIEW_KINDS or decision not in SignOff.Decision.values:
        raise ValidationError("Not a sign-off button of this portal.")
    return click


def _current_state(release: Release | None) -> str:
    if release is None:
        return gettext("This release no longer exists.")
    url = absolute_url(release.get_absolute_url())
    return gettext(
        "%(release)s is now %(status)s (revision %(revision)s); nothing was changed."
    ) % {
        "release": f"<{url}|{release}>",
        "status": str(release.get_status_display()).lower(),
        "revision": release.revision,
    }


def handle(click: Click) -> dict[str, Any]:
    """Act on one click; returns the response_url message telling the outcome."""
    identity = (
        SlackIdentity.objects.select_related("user")
        .filter(slack_team_id=click.slack_team_id, slack_user_id=click.slack_user_id)
        .first()
    )
    if identity is None or not identity.user.is_active:
        link = absolute_url(
            f"/integrations/slack/link/?token={slack_link_token(click.slack_team_id, click.slack_user_id)}"
        )
        text = gettext(
            "Your Slack account is not linked to the portal. Link it once: <%(link)s|link my "
            "account>, then press the button again."
        ) % {"link": link}
        return chat.outcome_message(text, replace=False)
    release = Release.objects.filter(pk=click.release_id).first()
    if (
        release is None
        or release.revision != click.revision
        or release.status != SIGNOFF_RULES[click.kind].state
    ):
        return chat.outcome_message(_current_state(release), replace=False)
    try:
        signoff = release_sign_off(release.pk, actor=identity.user, kind=click.kind,
                                   decision=click.decision, comment=click.reason, via=VIA_SLACK)  # fmt: skip
    except PermissionDenied as exc:
        return chat.outcome_message(str(exc), replace=False)
    except TransitionConflict as exc:
        release.refresh_from_db()
        text = (
            exc.message if exc.code == "eval_gate" else f"{exc.message} {_current_state(release)}"
        )
        return chat.outcome_message(text, replace=False)
    except ValidationError as exc:
        return chat.outcome_message(" ".join(exc.messages), replace=False)
    release.refresh_from_db()
    outcome = (
        gettext("%(kind)s sign-off approved by %(person)s via Slack. %(release)s is %(status)s.")
        if click.decision == "approve"
        else gettext(
            "%(kind)s sign-off rejected by %(person)s via Slack. %(release)s is %(status)s."
        )
    )
    text = outcome % {
        "kind": signoff.get_kind_display(),
        "person": identity.user.get_full_name() or identity.user,
        "release": f"<{absolute_url(release.get_absolute_url())}|{release}>",
        "status": str(release.get_status_display()).lower(),
    }
    return chat.outcome_message(text, replace=True)
