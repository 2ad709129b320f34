"""Reads of support requests for the pages, the API and the home page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.core.selectors import queryset_card
from support import policies
from support.models import SupportComment, SupportRequest

if TYPE_CHECKING:
    from portal.core.models import User

RELATED = ("requester", "team", "scenario", "first_answered_by")


def support_requests(user: User) -> QuerySet[SupportRequest]:
    """Every request this user may read (everyone signed in reads all)."""
    if not policies.can_view(user):
        return SupportRequest.objects.none()
    return SupportRequest.objects.select_related(*RELATED)


def filtered(user: User, params: Any) -> QuerySet[SupportRequest]:
    """The list page and the API list: by status, category, team, scenario and `mine`."""
    requests = support_requests(user)
    for name in ("status", "category"):
        if params.get(name):
            requests = requests.filter(**{name: params[name]})
    if params.get("team"):
        requests = requests.filter(team__slug=params["team"])
    if str(params.get("scenario", "")).isdigit():
        requests = requests.filter(scenario_id=int(params["scenario"]))
    if params.get("mine"):
        requests = requests.filter(requester_id=user.pk)
    return requests


def queue(user: User) -> QuerySet[SupportRequest]:
    """Open requests for the platform, the longest waiting first."""
    if not policies.is_queue_reader(user):
        return SupportRequest.objects.none()
    return (
        SupportRequest.objects.filter(status=SupportRequest.Status.OPEN)
        .select_related(*RELATED)
        .order_by("opened_at", "pk")
    )


def get_request(user: User, pk: Any) -> SupportRequest:
    """One request with its thread, or 404."""
    comments = Prefetch("comments", SupportComment.objects.select_related("author"))
    try:
        return support_requests(user).prefetch_related(comments).get(pk=pk)
    except (SupportRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such support request.")) from exc


def work_for(user: User) -> dict[str, Any]:
    """Home page cards: the queue for the platform; answers waiting for the requester."""
    if not policies.can_view(user):
        return {}
    work: dict[str, Any] = {}
    if policies.is_queue_reader(user):
        work["support_queue"] = queryset_card(
            _("Support requests awaiting an answer"), "/support/queue/", queue(user)
        )
    answered = SupportRequest.objects.filter(
        requester_id=user.pk, status=SupportRequest.Status.ANSWERED
    ).order_by("-id")
    card = queryset_card(
        _("Your support requests with an answer to read"),
        "/support/?mine=1&status=answered",
        answered,
    )
    if card["count"]:
        work["support_answered"] = card
    return work
