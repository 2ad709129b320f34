"""Support request pages: list, queue, ask, read and answer. Writes go through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.core.audit import history_for
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from portal.core.transitions import available_actions, catalogue, state_allows
from scenarios import policies as scenario_policies
from support import policies, selectors, services
from support.forms import AnswerForm, CommentForm, FilterForm, SupportRequestForm
from support.models import SupportRequest

ACTIONS = catalogue(SupportRequest, "close", "reopen")
ANSWER = catalogue(SupportRequest, "answer")


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    rows = selectors.filtered(actor(request), {**params, "mine": "1" if params.get("mine") else ""})
    context = {"form": form, "is_queue_reader": policies.is_queue_reader(actor(request))}
    return render(request, "support/list.html", {**context, **paginate(request, rows)})


@require_GET
def request_queue(request: HttpRequest) -> HttpResponse:
    if not policies.is_queue_reader(actor(request)):
        raise PermissionDenied(_("The support queue is for platform reviewers."))
    rows = selectors.queue(actor(request))
    return render(request, "support/queue.html", paginate(request, rows))


def request_new(request: HttpRequest) -> HttpResponse:
    form = SupportRequestForm(request.POST or None, user=actor(request))
    if request.method == "POST" and form.is_valid():
        created = services.support_open(actor=actor(request), **form.cleaned_data)
        messages.success(request, _("Your request is in the platform's queue."))
        return redirect(created.get_absolute_url())
    return render(request, "support/form.html", {"form": form, "editing": None})


def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    support = selectors.get_request(actor(request), pk)
    if not policies.can_edit(actor(request), support):
        raise PermissionDenied(_("Only the requester may edit, and only before the first answer."))
    form = SupportRequestForm(request.POST or None, instance=support, user=actor(request))
    if request.method == "POST" and form.is_valid():
        services.support_update(support.pk, actor=actor(request), **form.cleaned_data)
        messages.success(request, _("Request updated."))
        return redirect(support.get_absolute_url())
    return render(request, "support/form.html", {"form": form, "editing": support})


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    support = selectors.get_request(user, pk)
    # Answering is a transition with a form of its own (the answer's text), not a button.
    can_answer = bool(available_actions(support, user, ANSWER))
    actions = available_actions(support, user, ACTIONS)
    delegate = scenario_policies.can_act_as_delegate(user)
    by_state = state_allows(support)
    answer_as_delegate = delegate and not can_answer and "answer" in by_state
    return render(
        request,
        "support/detail.html",
        {
            "support": support,
            "comments": support.comments.all(),
            "entries": history_for(support),
            "actions": actions,
            "action_base": f"{support.get_absolute_url()}",
            "answer_form": AnswerForm() if can_answer or answer_as_delegate else None,
            "answer_as_delegate": answer_as_delegate,
            "answer_action": ANSWER["answer"],
            "delegate_actions": [
                a
                for name, a in ACTIONS.items()
                if delegate and name in by_state and a not in actions
            ],
            "comment_form": CommentForm() if policies.can_comment(user, support) else None,
            "can_edit": policies.can_edit(user, support),
            "can_delete": policies.can_delete(user, support),
        },
    )


def _act(request: HttpRequest, pk: int, run: Callable[[], Any], done: str) -> HttpResponse:
    try:
        run()
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(f"/support/{pk}/")


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


def _delegate(request: HttpRequest) -> bool:
    return request.POST.get("as_delegate") == "1"


@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    support = selectors.get_request(actor(request), pk)
    return _act(
        request,
        pk,
        lambda: services.support_comment(
            support.pk, actor=actor(request), body=_text(request, "body")
        ),
        _("Comment added."),
    )


@require_POST
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.get_request(actor(request), pk)
    return _act(
        request,
        pk,
        lambda: services.support_answer(
            pk, actor=actor(request), body=_text(request, "body"), as_delegate=_delegate(request)
        ),
        _("Answer sent; the requester gets an email."),
    )


@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.get_request(actor(request), pk)
    return _act(
        request,
        pk,
        lambda: services.support_close(
            pk,
            actor=actor(request),
            comment=_text(request, "comment"),
            as_delegate=_delegate(request),
        ),
        _("Request closed."),
    )


@require_POST
def request_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.get_request(actor(request), pk)
    return _act(
        request,
        pk,
        lambda: services.support_reopen(
            pk,
            actor=actor(request),
            comment=_text(request, "comment"),
            as_delegate=_delegate(request),
        ),
        _("Request reopened; it is back in the platform's queue."),
    )


@require_POST
def request_delete(request: HttpRequest, pk: int) -> HttpResponse:
    support = selectors.get_request(actor(request), pk)
    services.support_delete(support.pk, actor=actor(request))
    messages.success(request, _("Request withdrawn."))
    return redirect("/support/")
