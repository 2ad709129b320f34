"""Confirmation before a consequential action (release, rollback, mark onboarded, revoke):
a dialog with JavaScript, a page of its own without.

A transition asks for it with `custom={"confirm": "<question>"}`; its button's form then
carries the question in a `confirm` field. The page's script asks in a dialog and, on yes,
adds `confirmed=1` before the form is sent; without the script the form arrives unconfirmed and
this middleware answers with a page that asks the question and sends the same form again,
confirmed. It guards against a slip of the hand, not against a person: the service's own checks
decide what is allowed, and the API asks nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

FIELD = "confirm"
CONFIRMED = "confirmed"
_NOT_RESENT = {FIELD, CONFIRMED, "csrfmiddlewaretoken"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class ConfirmFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> HttpResponse | None:
        # After the CSRF check (CsrfViewMiddleware comes first), before the view.
        if request.method != "POST" or request.content_type not in FORM_TYPES:
            return None
        question = request.POST.get(FIELD, "").strip()
        if not question or request.POST.get(CONFIRMED) == "1":
            return None
        return confirmation_page(request, question)


def confirmation_page(request: HttpRequest, question: str) -> HttpResponse:
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_RESENT
        for value in values
    ]
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    context = {
        "question": question,
        "action": request.path,
        "fields": fields,
        "label": request.POST.get("label", _("Yes, go ahead")),
        "back": back,
    }
    return render(request, "core/confirm.html", context)
