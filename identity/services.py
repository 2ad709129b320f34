"""Every write of the identity app: people signing in through the provider (created at first
sign-in, roles and teams from the groups claim), and deprovisioning."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from identity import policies
from identity.models import ExternalIdentity, GroupMapping
from portal.core.models import Team, User
from portal.core.token_services import tokens_revoke_all
from portal.core.transitions import lock, record_change, record_creation
from scenarios.models import Vacancy
from scenarios.services import scenario_vacancies_refresh, vacancies_open_for

PROFILE_CLAIMS = (("first_name", "given_name"), ("last_name", "family_name"), ("email", "email"))
SIGN_IN = "at sign-in, from the identity provider's groups claim"
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def groups_claim(claims: Mapping[str, Any]) -> frozenset[str]:
    """The groups the claims carry (a list of names or ids; one string counts as one group)."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return frozenset(str(group) for group in value if isinstance(group, str | int))


def identity_sign_in(claims: Mapping[str, Any], *, issuer: str) -> User:
    """The person the verified claims name: found by issuer and subject, linked by a verified
    email at first sign-in, else created; then roles and teams follow the groups claim."""
    with transaction.atomic():
        found = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=str(claims["sub"]))
            .first()
        )
        user = found.user if found is not None else _first_sign_in(claims, issuer)
        lock(User, user.pk)  # two sign-ins of one person sync their roles one after the other
        if user.is_active:
            _update_profile(user, claims)
            memberships_sync(user, groups_claim(claims))
    return user


def _first_sign_in(claims: Mapping[str, Any], issuer: str) -> User:
    email = str(claims.get("email") or "")
    existing = None
    if email and claims.get("email_verified") is True:
        matches = list(User.objects.filter(email__iexact=email)[:2])
        existing = matches[0] if len(matches) == 1 else None
    user = existing or _create_user(claims, email)
    link = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=str(claims["sub"]))
    if existing is not None:
        _audit(user, "link", "", "linked", f"Linked to {link} by the verified email {email}.")
    return user


def _create_user(claims: Mapping[str, Any], email: str) -> User:
    wanted = str(claims.get(settings.OIDC_USERNAME_CLAIM) or email.partition("@")[0] or "")
    base = _USERNAME_UNSAFE.sub("-", wanted)[:140] or f"user-{str(claims['sub'])[:40]}"
    username, suffix = base, 1
    while User.objects.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{base}-{suffix}"
    user = User.objects.create_user(username, email=email)  # no usable password
    record_creation(
        user, actor=None, target="active", comment="First sign-in through the identity provider."
    )
    return user


def _update_profile(user: User, claims: Mapping[str, Any]) -> None:
    changed = []
    for field, claim in PROFILE_CLAIMS:
        value = str(claims.get(claim) or "")[:150]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
        _audit(user, "profile_update", "", "", f"{', '.join(changed)} from the identity provider.")


def memberships_sync(user: User, groups: Iterable[str]) -> None:
    """Give the roles and teams the user's groups map to and take away the mapped ones they no
    longer map to; roles and teams no mapping names stay as they are. One audit row each.
    Inside the transaction that locked the user (the sign-in's)."""
    groups = frozenset(groups)
    mappings = list(GroupMapping.objects.select_related("team"))
    wanted = [m for m in mappings if m.group in groups]
    _sync_roles(user, {m.role for m in mappings if m.role}, {m.role for m in wanted if m.role})
    _sync_teams(user, {m.team for m in mappings if m.team}, {m.team for m in wanted if m.team})


def _sync_roles(user: User, managed: set[str], wanted: set[str]) -> None:
    held = set(user.groups.values_list("name", flat=True))
    for role in sorted(wanted - held):
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        _audit(user, "role_grant", "", role, f"Role {role!r} given {SIGN_IN}.")
    for role in sorted((held & managed) - wanted):
        user.groups.remove(*Group.objects.filter(name=role))
        _audit(user, "role_revoke", role, "", f"Role {role!r} taken away {SIGN_IN}.")


def _sync_teams(user: User, managed: set[Team | None], wanted: set[Team | None]) -> None:
    held = set(user.teams.all())
    for team in sorted((t for t in wanted - held if t), key=str):
        team.members.add(user)
        _audit(user, "team_join", "", team.slug, f"Joined team {team.name!r} {SIGN_IN}.")
    for team in sorted((t for t in (held & managed) - wanted if t), key=str):
        team.members.remove(user)
        _audit(user, "team_leave", team.slug, "", f"Left team {team.name!r} {SIGN_IN}.")


def _audit(user: User, transition: str, source: str, target: str, comment: str) -> None:
    record_change(
        user,
        action=transition,
        source=source[:32],
        target=target[:32],
        actor=None,
        comment=comment,
    )


def _check_may_manage(actor: User | None) -> None:
    """`actor` None is the identity provider (SCIM), which its own token lets in."""
    if actor is not None and not policies.can_manage_people(actor):
        raise PermissionDenied(gettext("Only admins deactivate and reactivate people."))


def user_deactivate(pk: int, *, actor: User | None, via: str) -> User:
    """Deactivate a person at once: their sessions and API tokens end and every place naming
    them becomes a vacancy, in the same transaction. Harmless when they are inactive already."""
    with transaction.atomic():
        user = lock(User, pk)
        _check_may_manage(actor)
        if not user.is_active:
            return user
        user.is_active = False
        user.save(update_fields=["is_active"])
        sessions = sessions_end(user)
        tokens = tokens_revoke_all(user, actor=actor, comment=f"Deactivated {via}.")
        record_change(
            user,
            action="deactivate",
            source="active",
            target="inactive",
            actor=actor,
            comment=f"Deactivated {via}: {sessions} session(s) and {tokens} API token(s) ended.",
        )
        vacancies_open_for(user.pk, actor=actor, via=f"deactivated {via}")
    return user


def user_reactivate(pk: int, *, actor: User | None, via: str) -> User:
    """Let a deactivated person sign in again (old sessions and tokens stay ended)."""
    with transaction.atomic():
        user = lock(User, pk)
        _check_may_manage(actor)
        if user.is_active:
            return user
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_change(
            user,
            action="reactivate",
            source="inactive",
            target="active",
            actor=actor,
            comment=f"Reactivated {via}.",
        )
        # The places that still name them are theirs again.
        vacant = Vacancy.objects.open().filter(person=user).values_list("scenario_id", flat=True)
        for scenario_pk in sorted(set(vacant)):
            scenario_vacancies_refresh(scenario_pk, actor=actor)
    return user


def sessions_end(user: User) -> int:
    """Delete the user's sessions; returns how many. Database sessions name their user only
    inside the encoded data, so the live ones are decoded one by one."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def scim_user_create(user: User, *, via: str) -> User:
    """Create the person the provider provisions (unsaved `user` from the SCIM body)."""
    username = (user.username or "").strip()
    if not username:
        raise ValidationError("userName is required.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"A person named {username!r} exists already.", code="unique")
    with transaction.atomic():
        user.username = username
        user.set_unusable_password()
        user.save()
        target = "active" if user.is_active else "inactive"
        record_creation(user, actor=None, target=target, comment=f"Provisioned {via}.")
    return user


def scim_user_update(pk: int, *, changed: User, via: str) -> User:
    """Apply the provider's names, email and active flag to a person (the username stays)."""
    with transaction.atomic():
        user = lock(User, pk)
        fields = [f for f, _claim in PROFILE_CLAIMS if getattr(user, f) != getattr(changed, f)]
        if fields:
            for field in fields:
                setattr(user, field, getattr(changed, field))
            user.save(update_fields=fields)
            _audit(user, "profile_update", "", "", f"{', '.join(fields)} {via}.")
        if user.is_active and not changed.is_active:
            return user_deactivate(pk, actor=None, via=via)
        if changed.is_active and not user.is_active:
            return user_reactivate(pk, actor=None, via=via)
    return user


def mapping_save(mapping: GroupMapping, *, actor: User, created: bool) -> None:
    """Save a group mapping edited in the admin, with its audit row."""
    if not policies.can_map_groups(actor):
        raise PermissionDenied(gettext("Only admins map the identity provider's groups."))
    with transaction.atomic():
        if not created:
            lock(GroupMapping, mapping.pk)
        mapping.full_clean()
        mapping.save()
        target = (mapping.role or getattr(mapping.team, "slug", ""))[:32]
        record_change(
            mapping,
            action="create" if created else "edit",
            source="",
            target=target,
            actor=actor,
            comment=f"Group {mapping.group!r} gives {mapping.role or mapping.team}.",
        )


def mapping_delete(mapping: GroupMapping, *, actor: User) -> None:
    """Delete a group mapping, with its audit row (the roles it gave go at the next sign-in)."""
    if not policies.can_map_groups(actor):
        raise PermissionDenied(gettext("Only admins map the identity provider's groups."))
    with transaction.atomic():
        lock(GroupMapping, mapping.pk)
        record_change(
            mapping,
            action="delete",
            source=(mapping.role or "team")[:32],
            target="",
            actor=actor,
            comment=f"Group {mapping.group!r} no longer gives {mapping.role or mapping.team}.",
        )
        mapping.delete()
