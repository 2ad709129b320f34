"""HTML pages of amendments. Thin: fetch, form, service, redirect with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.audit import history_for
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from portal.core.transitions import Action, available_actions, catalogue
from scenarios import checklist, policies
from scenarios import selectors as scenario_selectors
from scenarios import services as scenario_services
from scenarios.amendments import selectors, services
from scenarios.amendments.forms import (
    AmendmentFilterForm,
    AmendmentForm,
    AmendmentOpenForm,
    MinorEditForm,
)
from scenarios.models import Amendment

ACTIONS: dict[str, Action] = catalogue(
    Amendment, "submit", "approve", "request_changes", "reject", "withdraw"
)
SERVICES: dict[str, Callable[..., Any]] = {
    "submit": services.amendment_submit,
    "approve": services.amendment_approve,
    "request_changes": services.amendment_request_changes,
    "reject": services.amendment_reject,
    "withdraw": services.amendment_withdraw,
}
DONE = {
    "submit": gettext_lazy("Submitted for review. The platform reviewers have been notified."),
    "approve": gettext_lazy("Approved and applied: the scenario has the new values."),
    "request_changes": gettext_lazy("Sent back for changes. The requester has been notified."),
    "reject": gettext_lazy("Rejected. The requester has been notified; the scenario is unchanged."),
    "withdraw": gettext_lazy("Withdrawn."),
}


@require_GET
def amendment_list(request: HttpRequest) -> HttpResponse:
    form = AmendmentFilterForm(request.GET)
    amendments = selectors.amendment_list(actor(request), **form.filters())
    return render(
        request, "scenarios/amendments/list.html", {**paginate(request, amendments), "form": form}
    )


@require_http_methods(["GET", "POST"])
def amendment_open(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = scenario_selectors.get_scenario_for(actor(request), pk)
    if not policies.can_open_amendment(actor(request), scenario):
        raise PermissionDenied(_("You may not propose amendments of this scenario."))
    form = AmendmentOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_create(
                actor=actor(request), scenario=scenario, **form.cleaned_data
            )
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(scenario)
        messages.success(request, _("Draft amendment opened: propose the new values."))
        return redirect("scenarios:amendment_edit", pk=amendment.pk)
    return render(request, "scenarios/amendments/open.html", {"form": form, "scenario": scenario})


@require_GET
def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    amendment = selectors.get_amendment_for(user, pk)
    result = selectors.result_of(amendment)
    missing = {}
    if amendment.status in Amendment.EDITABLE_STATES:
        missing = {**checklist.missing_items(result), **selectors.missing_parts(amendment, result)}
    return render(
        request,
        "scenarios/amendments/detail.html",
        {
            "amendment": amendment,
            "scenario": amendment.scenario,
            "changes": selectors.changes(amendment),
            "results": checklist.evaluate(result),
            "missing": missing.values(),
            "actions": available_actions(amendment, user, ACTIONS),
            "action_base": amendment.get_absolute_url(),
            "can_edit": policies.can_edit_amendment(user, amendment),
            "entries": list(history_for(amendment).order_by("seq")),
        },
    )


@require_http_methods(["GET", "POST"])
def amendment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    amendment = selectors.get_amendment_for(user, pk)
    if not policies.amendment_parts(user, amendment):
        raise PermissionDenied(_("You may not edit this amendment."))
    if amendment.status not in Amendment.EDITABLE_STATES:
        messages.error(request, _("Only drafts and amendments with changes requested are edited."))
        return redirect(amendment)
    form = AmendmentForm(request.POST or None, amendment=amendment, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.amendment_update(
                amendment.pk,
                actor=user,
                summary=form.cleaned_data["summary"],
                values=form.values(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved. Submit it when the proposal is complete."))
            return redirect(amendment)
    return render(
        request,
        "scenarios/amendments/form.html",
        {"form": form, "amendment": amendment, "scenario": amendment.scenario},
    )


@require_POST
def amendment_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    amendment = selectors.get_amendment_for(actor(request), pk)
    try:
        SERVICES[name](
            amendment.pk,
            actor=actor(request),
            comment=request.POST.get("comment", "").strip(),
            as_delegate=request.POST.get("as_delegate") == "1",
        )
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _("Not yet: %(problems)s") % {"problems": " ".join(exc.messages)})
    else:
        messages.success(request, DONE[name])
    return redirect(amendment)


@require_http_methods(["GET", "POST"])
def scenario_minor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = scenario_selectors.get_scenario_for(actor(request), pk)
    if not policies.can_edit_minor(actor(request), scenario):
        raise PermissionDenied(_("You may not edit this scenario's description."))
    form = MinorEditForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            scenario_services.scenario_edit_minor(
                scenario.pk, actor=actor(request), data=dict(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved (no review needed for these fields)."))
            return redirect(scenario)
    return render(request, "scenarios/amendments/minor.html", {"form": form, "scenario": scenario})
