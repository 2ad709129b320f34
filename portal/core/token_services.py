"""Personal API tokens: the only writer. Knox stores the hash; the text is returned once."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core import policies
from portal.core.models import ApiToken, User
from portal.core.transitions import record_change, record_creation

DEFAULT_DAYS = 90
MAX_DAYS = 365


def token_create(
    user: User, *, name: str, expires_in_days: int = DEFAULT_DAYS, via_token: bool = False
) -> tuple[ApiToken, str]:
    """Create a personal token; returns the row and the token text, which is never stored."""
    if not policies.can_create_token(user, via_token=via_token):
        raise PermissionDenied(
            _("Create tokens on your profile page or with your password, not with a token.")
        )
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the pipeline that uses it.")
    if not 1 <= int(expires_in_days) <= MAX_DAYS:
        errors["expires_in_days"] = ngettext(
            "Choose between 1 and %(max)d day.", "Choose between 1 and %(max)d days.", MAX_DAYS
        ) % {"max": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        token, text = ApiToken.objects.create(
            user=user, expiry=timedelta(days=int(expires_in_days)), name=name[:100]
        )
        record_creation(token, actor=user, target="active")
    return token, text


def token_revoke(pk: int, *, actor: User) -> ApiToken:
    """Revoke (delete) a token: its owner or an admin. The next request with it gets 401."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=pk).first()
        if token is None or not policies.can_see_token(actor, token):
            raise Http404(_("No such token."))
        if not policies.can_revoke_token(actor, token):
            raise PermissionDenied(_("You may not revoke this token."))
        record_change(
            token,
            action="revoke",
            source="expired" if token.is_expired else "active",
            target="revoked",
            actor=actor,
            as_delegate=token.user_id != actor.pk,
        )
        token.delete()
    return token


def tokens_revoke_all(user: User, *, actor: User | None, comment: str) -> int:
    """Revoke every token of a user being deactivated (by an admin or the identity provider,
    then `actor` is None); one audit row per token. Returns how many."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user))
        for token in tokens:
            record_change(
                token,
                action="revoke",
                source="expired" if token.is_expired else "active",
                target="revoked",
                actor=actor,
                comment=comment,
            )
        ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)
