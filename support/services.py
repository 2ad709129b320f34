"""Every write to support requests. Views, API and admin call these; nothing else writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.models import Team, User
from portal.core.notifications import absolute_url, send_templated
from portal.core.transitions import lock, perform, record_change, record_creation
from support import policies
from support.models import SupportComment, SupportRequest


def _requester_team(requester: Any) -> Team | None:
    teams = list(requester.teams.filter(kind=Team.Kind.PRODUCT).order_by("name")[:2])
    return teams[0] if len(teams) == 1 else None


def support_open(
    *, actor: User, title: str, description: str, category: str, scenario: Any = None
) -> SupportRequest:
    """Open a support request; it counts for the scenario's team, else the requester's team."""
    if not policies.can_open(actor):
        raise PermissionDenied(_("Sign in to ask the platform for help."))
    with transaction.atomic():
        request = SupportRequest.objects.create(
            title=title,
            description=description,
            category=category,
            scenario=scenario,
            team=scenario.team if scenario is not None else _requester_team(actor),
            requester=actor,
        )
        record_creation(request, actor=actor, action="open", target=request.status)
    return request


def support_update(pk: Any, *, actor: User, **fields: Any) -> SupportRequest:
    """The requester corrects title, description, category or scenario before any answer."""
    allowed = {"title", "description", "category", "scenario"}
    for name in fields:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed.")})
    with transaction.atomic():
        # Locked and re-read, so an answer that lands meanwhile wins over the edit.
        current = lock(SupportRequest, pk)
        if not policies.can_edit(actor, current):
            raise PermissionDenied(
                _("Only the requester may edit, and only before the first answer.")
            )
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        for name, value in fields.items():
            setattr(current, name, value)
        scenario = fields.get("scenario")
        if scenario is not None:
            current.team = scenario.team
        current.save(update_fields=[*fields, "team", "updated_at"])
        record_change(
            current,
            action="update",
            source=current.status,
            actor=actor,
            comment=f"Changed: {', '.join(changed)}." if changed else "Nothing changed.",
        )
    return current


def support_delete(pk: Any, *, actor: User) -> None:
    """Withdraw a request nobody has answered yet."""
    with transaction.atomic():
        current = lock(SupportRequest, pk)
        if not policies.can_delete(actor, current):
            raise PermissionDenied(
                _("Only an unanswered request can be withdrawn, by its requester.")
            )
        # Written first: the row names the request by its id, which the delete clears.
        record_change(
            current, action="delete", source=current.status, target="deleted", actor=actor
        )
        current.delete()


def support_comment(pk: Any, *, actor: User, body: str) -> SupportComment:
    """Add to the thread (audited); the state does not change."""
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    with transaction.atomic():
        request = lock(SupportRequest, pk)
        if not policies.can_comment(actor, request):
            raise PermissionDenied(_("Sign in to comment."))
        comment = SupportComment.objects.create(request=request, author=actor, body=body.strip())
        record_change(
            request,
            action="comment",
            source=request.status,
            actor=actor,
            comment=body.strip()[:500],
        )
    return comment


def support_answer(pk: Any, *, actor: User, body: str, as_delegate: bool = False) -> SupportRequest:
    """The platform answers: the answer joins the thread and the requester gets an email."""
    if not body.strip():
        raise ValidationError({"body": _("Write the answer.")})

    def record(obj: SupportRequest) -> None:
        SupportComment.objects.create(request=obj, author=actor, body=body.strip(), is_answer=True)
        send_templated(
            "support_answered",
            [obj.requester],
            {"request": obj, "answer": body.strip(), "by": actor,
             "url": absolute_url(obj.get_absolute_url())},
            about=obj,
        )  # fmt: skip

    return perform(
        SupportRequest, pk, "answer", actor=actor, comment=body.strip(),
        as_delegate=as_delegate, kwargs={"by": actor}, after=record,
    )  # fmt: skip


def support_close(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> SupportRequest:
    """The platform closes the request (answered, or nothing more to do)."""
    return perform(
        SupportRequest, pk, "close", actor=actor, comment=comment, as_delegate=as_delegate
    )


def support_reopen(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> SupportRequest:
    """Back to the queue: the answer did not help, or the request was closed too early."""
    return perform(
        SupportRequest, pk, "reopen", actor=actor, comment=comment, as_delegate=as_delegate
    )
