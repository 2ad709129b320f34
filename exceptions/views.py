"""Browser pages of the exception register: short views around the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import can_proceed

from exceptions import exports, policies, selectors, services
from exceptions import forms as exception_forms
from exceptions.filters import ExceptionFilter
from exceptions.models import PlatformException
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from portal.core.transitions import available_actions, catalogue
from scenarios.models import Scenario

CATALOGUE = catalogue(PlatformException, "justify", "approve", "reject", "revoke", "close")
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "approve": exception_forms.ApproveForm,
    "reject": exception_forms.RejectForm,
    "revoke": exception_forms.RevokeForm,
    "close": exception_forms.CloseForm,
}


def _register(request: HttpRequest) -> ExceptionFilter:
    if not policies.can_view_exceptions(actor(request)):
        raise PermissionDenied(_("Only signed-in users read the exception register."))
    return ExceptionFilter(request.GET or None, queryset=selectors.exception_queryset())


@require_GET
def exception_list(request: HttpRequest) -> HttpResponse:
    """The register: filters, search, pages, and the undocumented count at the top."""
    filterset = _register(request)
    paged = paginate(request, filterset.qs)
    query = paged["querystring_without_page"]
    context = {
        **paged,
        "filter": filterset,
        "exceptions": paged["page_obj"].object_list,
        "undocumented_count": selectors.undocumented_count(),
        "export_query": f"?{query.removesuffix('&')}" if query else "",
        "can_request": policies.can_request_exception(actor(request)),
        "can_detect": policies.can_detect_exception(actor(request)),
    }
    return render(request, "exceptions/list.html", context)


@require_GET
def exception_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered on the page, every exception with its full history, as CSV."""
    filterset = _register(request)
    if filterset.is_bound and not filterset.is_valid():
        errors = "; ".join(
            f"{filterset.form.fields[name].label}: {' '.join(problems)}"
            for name, problems in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            _("Nothing exported. %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )
    return exports.response(filterset.qs)


@require_GET
def exception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One exception: its record, timeline, and the buttons this user may press now."""
    exception = selectors.get_exception(pk)
    # The catalogue keeps its labels lazy: each reader's buttons are in their language.
    actions = available_actions(exception, actor(request), CATALOGUE)
    context = {
        "exception": exception,
        "entries": selectors.history(exception),
        "action_forms": [
            (action, ACTION_FORMS[action.name]() if action.name in ACTION_FORMS else None)
            for action in actions
        ],
        "extensions": selectors.extensions_of(exception),
        "can_extend": policies.can_extend_exception(actor(request), exception),
    }
    return render(request, "exceptions/detail.html", context)


@require_http_methods(["GET", "POST"])
def exception_request(request: HttpRequest) -> HttpResponse:
    """A new request; `?extends=<id>` pre-fills an extension, `?scenario=<id>` the scenario,
    `?release=<id>` an eval gate bypass of that release."""
    if not policies.can_request_exception(actor(request)):
        raise PermissionDenied(_("Only product owners request exceptions for their team."))
    extends_id = request.POST.get("extends") or request.GET.get("extends")
    extends = get_object_or_404(PlatformException, pk=extends_id) if extends_id else None
    scenario_id = request.GET.get("scenario")
    scenario = Scenario.objects.filter(pk=scenario_id).first() if scenario_id else None
    release_id = request.GET.get("release", "")
    release = (
        selectors.requestable_releases(actor(request)).filter(pk=release_id).first()
        if release_id.isdigit()
        else None
    )
    initial = exception_forms.RequestForm.initial_from(extends, scenario, release)
    form = exception_forms.RequestForm(request.POST or None, user=actor(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        created = _save(form, lambda data: services.exception_request(actor=actor(request), **data))
        if created is not None:
            messages.success(
                request, _("Exception requested. The platform reviewers were emailed.")
            )
            return redirect(created)
    title = _("Request an extension") if extends else _("Request an exception")
    return render(
        request,
        "exceptions/form.html",
        {"form": form, "title": title, "extends": extends, "submit": _("Send the request")},
    )


@require_http_methods(["GET", "POST"])
def exception_detect(request: HttpRequest) -> HttpResponse:
    """The platform records a deviation it found; the team is asked to justify it."""
    if not policies.can_detect_exception(actor(request)):
        raise PermissionDenied(_("Only platform reviewers record detected exceptions."))
    form = exception_forms.DetectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(form, lambda data: services.exception_detect(actor=actor(request), **data))
        if created is not None:
            messages.success(request, _("Detected exception recorded. The team was emailed."))
            return redirect(created)
    return render(
        request,
        "exceptions/form.html",
        {"form": form, "title": _("Record a detected exception"), "submit": _("Record it")},
    )


@require_http_methods(["GET", "POST"])
def exception_justify(request: HttpRequest, pk: int) -> HttpResponse:
    """The team documents a detected exception; it becomes a request for the platform."""
    exception = selectors.get_exception(pk)
    if not policies.can_justify_exception(actor(request), exception):
        raise PermissionDenied(_("Only the team's product owners justify this exception."))
    if not can_proceed(exception.justify):
        messages.error(request, _("This exception is no longer waiting for a justification."))
        return redirect(exception)
    form = exception_forms.JustifyForm(request.POST or None, initial={"risk": exception.risk})
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(
                form, lambda data: services.exception_justify(pk, actor=actor(request), **data)
            )
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(exception)
        if saved is not None:
            messages.success(request, _("Justified. The platform reviewers were emailed."))
            return redirect(saved)
    return render(
        request,
        "exceptions/form.html",
        {
            "form": form,
            "title": _("Justify: %(exception)s") % {"exception": exception},
            "exception": exception,
            "submit": _("Justify"),
        },
    )


@require_POST
def exception_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "approve", services.exception_approve, _("Approved."))


@require_POST
def exception_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "reject", services.exception_reject, _("Rejected."))


@require_POST
def exception_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "revoke", services.exception_revoke, _("Revoked."))


@require_POST
def exception_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "close", services.exception_close, _("Closed."))


def _save(form: forms.Form, write: Callable[[dict[str, Any]], Any]) -> Any:
    """Run the service; its validation errors land on the form's fields."""
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _transition(
    request: HttpRequest, pk: int, name: str, service: Callable[..., Any], done: str
) -> HttpResponse:
    form = ACTION_FORMS[name](request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
        messages.error(request, _("Nothing changed. %(errors)s") % {"errors": errors})
        return redirect("exceptions:detail", pk=pk)
    try:
        service(pk, actor=actor(request), **form.cleaned_data)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(
            request, _("Nothing changed. %(errors)s") % {"errors": " ".join(exc.messages)}
        )
    else:
        messages.success(request, done)
    return redirect("exceptions:detail", pk=pk)
