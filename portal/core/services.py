"""Writes to a person's own profile (tokens have theirs in `token_services`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core import languages, policies, user_cache
from portal.core.models import User
from portal.core.transitions import lock, record_change


def user_language_set(pk: int, *, actor: User, language: str) -> User:
    """The language of the person's pages and emails (blank: their browser's). Only they set it."""
    if not languages.is_language(language):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    with transaction.atomic():
        user = lock(User, pk)
        if not policies.can_set_language(actor, user):
            raise PermissionDenied(_("You may change only your own language."))
        if user.language == language:
            return user
        before = user.language or "browser"
        user.language = language
        user.save(update_fields=["language"])
        record_change(
            user,
            action="set_language",
            source="active" if user.is_active else "inactive",
            actor=actor,
            comment=f"{before} -> {language or 'browser'}",
            # Saving forgot the cached user inside the transaction; a request that read the
            # user before the commit may have cached the old language since: forget it again.
            on_commit=lambda: user_cache.forget_users([pk]),
        )
    return user
