"""HTML pages for scenarios and the tool registry. Thin: fetch, form, service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.audit import history_for
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from portal.core.selectors import app_selectors
from portal.core.transitions import Action, available_actions, catalogue, state_allows
from scenarios import checklist, decision_record, policies, selectors, services
from scenarios.amendments import selectors as amendments
from scenarios.forms import ReviewForm, ScenarioFilterForm, ScenarioForm, field_anchor
from scenarios.golden_paths import selectors as golden_path
from scenarios.models import Scenario

if TYPE_CHECKING:
    from portal.core.models import User

# Transitions that post straight from the scenario page.
ACTIONS: dict[str, Action] = catalogue(Scenario, "submit", "start_review", "onboard", "retire")
# Decisions are taken on the review page, where the checklist is answered.
DECISIONS: dict[str, Action] = catalogue(Scenario, "approve", "request_changes", "reject")
SERVICES: dict[str, Callable[..., Any]] = {
    "submit": services.scenario_submit,
    "start_review": services.scenario_start_review,
    "onboard": services.scenario_onboard,
    "retire": services.scenario_retire,
}
DONE = {
    "submit": gettext_lazy(
        "Submitted for architecture review. The platform reviewers have been notified."
    ),
    "start_review": gettext_lazy("You have taken this scenario into review."),
    "onboard": gettext_lazy("Marked onboarded: the scenario is live."),
    "retire": gettext_lazy("Retired."),
}


# Higher apps add panels to the scenario page with `selectors.scenario_panel(scenario, user)`:
# None or a dict with "template" (a partial rendered with `panel` and the page context) and its
# data, and optionally "anchor" (an id in the partial) and "title", its entry in the page's
# in-page navigation.


# Scenarios ----------------------------------------------------------------------------------


@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    form = ScenarioFilterForm(request.GET)
    return render(
        request,
        "scenarios/list.html",
        {
            **paginate(request, selectors.scenario_list(actor(request), form.filters())),
            "form": form,
            "can_create": policies.can_create(actor(request)),
        },
    )


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    paged = paginate(request, golden_path.with_golden_path(selectors.review_queue(actor(request))))
    now = timezone.now()
    rows = [(s, selectors.waiting_time(s, now)) for s in paged["page_obj"].object_list]
    return render(request, "scenarios/review_queue.html", {**paged, "rows": rows})


@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not policies.can_create(user):
        raise PermissionDenied(_("Only product owners (and the platform) open scenario intakes."))
    form = ScenarioForm(request.POST or None, user=user, initial=_initial(request))
    if request.method == "POST" and _validated(form):
        try:
            scenario = services.scenario_create(
                actor=user, team=form.cleaned_data["team"], **form.service_arguments()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Draft saved. Submit it when the intake is complete."))
            if "submit" in request.POST:
                return _submit_after_save(request, scenario)
            return redirect(scenario)
    return _render_form(request, form, None, can_submit=policies.is_product_owner(user))


def _initial(request: HttpRequest) -> dict[str, Any]:
    """Prefill from the query string (e.g. ?team=<id>) for links from other pages."""
    initial = {key: request.GET[key] for key in ("team", "name") if key in request.GET}
    template = golden_path.template_for_intake(request.GET.get("template"))
    if template is not None:
        initial.update(golden_path.template_initial(template))
    return initial


def _validated(form: ScenarioForm) -> bool:
    """Whether the intake form is valid. When it is not, the service's validation still judges
    every value the form could read, so all errors show after one save, not one kind a time."""
    if form.is_valid():
        return True
    shown = form.preview()
    try:
        services.validate_intake(shown.scenario, shown.tools, shown.escalation)
    except ValidationError as exc:
        form.add_service_errors(exc, beside_own=False)
    return False


def _render_form(
    request: HttpRequest, form: ScenarioForm, scenario: Scenario | None, *, can_submit: bool
) -> HttpResponse:
    sections = form.sections()
    summary = form.error_summary()
    general = [*form.non_field_errors(), *form.hidden_errors()]
    return render(
        request,
        "scenarios/form.html",
        {
            "form": form,
            "scenario": scenario,
            "can_submit": can_submit,
            "sections": sections,
            "sections_complete": sum(1 for section in sections if section["complete"]),
            "error_summary": summary,
            "general_errors": general,
            "error_count": len(summary) + len(general),
        },
    )


@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    scenario = selectors.scenario_for_intake(user, pk)
    if not policies.can_change_intake(user, scenario):
        raise PermissionDenied(_("You may not edit this scenario."))
    if not policies.can_edit(user, scenario):
        messages.error(
            request, _("Only drafts and scenarios with changes requested can be edited.")
        )
        return redirect(scenario)
    form = ScenarioForm(request.POST or None, instance=scenario, user=user)
    if request.method == "POST" and _validated(form):
        try:
            services.scenario_update(actor=user, pk=pk, **form.service_arguments())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(scenario)
        else:
            messages.success(request, _("Saved."))
            if "submit" in request.POST:
                return _submit_after_save(request, scenario)
            return redirect(scenario)
    return _render_form(request, form, scenario, can_submit=policies.can_submit(user, scenario))


def _submit_after_save(request: HttpRequest, scenario: Scenario) -> HttpResponse:
    """The "Save and submit" button: the draft is saved; submission may still be refused, and
    then the form lists each missing item in its section, with a link to its field."""
    try:
        services.scenario_submit(actor=actor(request), pk=scenario.pk)
    except ValidationError as exc:
        count = len(exc.messages)
        messages.error(
            request,
            ngettext(
                "Saved as a draft, but it cannot be submitted yet: %(count)d item is missing. "
                "It is listed in its section below, with a link to its field.",
                "Saved as a draft, but it cannot be submitted yet: %(count)d items are missing. "
                "Each is listed in its section below, with a link to its field.",
                count,
            )
            % {"count": count},
        )
        return redirect(f"{reverse('scenarios:edit', args=[scenario.pk])}#intake-progress")
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, DONE["submit"])
    return redirect(scenario)


@require_GET
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_detail(actor(request), pk, open_exceptions=False)
    # Panels first: the exceptions panel also reads the open exceptions the record lists.
    hooks = app_selectors("scenario_panel")
    panels = [panel for hook in hooks if (panel := hook(scenario, actor(request)))]
    actions = available_actions(scenario, actor(request), ACTIONS)
    decisions = available_actions(scenario, actor(request), DECISIONS)
    delegated = _delegate_actions(scenario, actor(request), [*actions, *decisions])
    entries = list(history_for(scenario))
    history = amendments.scenario_amendments(scenario)
    return render(
        request,
        "scenarios/detail.html",
        {
            "scenario": scenario,
            "record": decision_record.build(scenario, entries, history),
            "amendments": history,
            "can_amend": policies.can_open_amendment(actor(request), scenario),
            "entries": entries,
            "actions": actions,
            "action_base": f"{scenario.get_absolute_url()}",
            "can_decide": bool(decisions),
            "can_edit": policies.can_edit(actor(request), scenario),
            "delegate_actions": [a for a in delegated if a.name in ACTIONS],
            "delegate_can_decide": any(a.name in DECISIONS for a in delegated),
            "extra_panels": panels,
            "flagged_tools": selectors.flagged_tools(scenario),
            "missing": _missing_items(scenario),
        },
    )


def _missing_items(scenario: Scenario) -> list[dict[str, str]]:
    """What blocks submission, each item with the id of the intake field that fixes it."""
    return [
        {"anchor": field_anchor(key), "message": message}
        for key, message in checklist.missing_for_submission(scenario).items()
    ]


def _delegate_actions(scenario: Scenario, user: User, own: list[Action]) -> list[Action]:
    """What an admin could do in someone's place: valid in this state, not theirs to do."""
    if not policies.can_act_as_delegate(user):
        return []
    valid = state_allows(scenario)
    mine = {a.name for a in own}
    return [a for name, a in {**ACTIONS, **DECISIONS}.items() if name in valid - mine]


@require_POST
def scenario_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    scenario = selectors.get_scenario_for(actor(request), pk)
    as_delegate = request.POST.get("as_delegate") == "1"
    comment = request.POST.get("comment", "").strip()
    try:
        SERVICES[name](
            actor=actor(request), pk=scenario.pk, comment=comment, as_delegate=as_delegate
        )
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        count = len(exc.messages)
        messages.error(
            request,
            ngettext(
                "Cannot submit yet: %(count)d item is missing, listed under “Missing before "
                "submission”.",
                "Cannot submit yet: %(count)d items are missing, listed under “Missing before "
                "submission”.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.success(request, DONE[name])
    return redirect(scenario)


def _review_form(request: HttpRequest, scenario: Scenario, data: Any = None) -> ReviewForm:
    return ReviewForm(
        data, scenario=scenario, delegate=policies.can_act_as_delegate(actor(request))
    )


@require_GET
def scenario_review(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_detail(actor(request), pk)
    return _render_review(request, scenario, _review_form(request, scenario))


def _render_review(
    request: HttpRequest, scenario: Scenario, form: ReviewForm, status: int = 200
) -> HttpResponse:
    decisions = available_actions(scenario, actor(request), DECISIONS)
    if not decisions and policies.can_act_as_delegate(actor(request)):
        decisions = _delegate_actions(scenario, actor(request), [])
        decisions = [a for a in decisions if a.name in DECISIONS]
    return render(
        request,
        "scenarios/review.html",
        {
            "scenario": scenario,
            "form": form,
            "decisions": decisions,
            "record": decision_record.build(scenario),
            # Whether the state allows a decision at all (the decisions' FSM sources).
            "decidable": bool(state_allows(scenario) & DECISIONS.keys()),
            "start_review": [
                a
                for a in available_actions(scenario, actor(request), ACTIONS)
                if a.name == "start_review"
            ],
        },
        status=status,
    )


@require_POST
def scenario_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    scenario = selectors.scenario_detail(actor(request), pk)
    form = _review_form(request, scenario, request.POST)
    if not form.is_valid():
        return _render_review(request, scenario, form, status=400)
    try:
        review = services.scenario_decide(
            actor=actor(request),
            pk=scenario.pk,
            decision=decision,
            comment=form.cleaned_data["comment"],
            answers=form.answers(),
            as_delegate=form.cleaned_data.get("as_delegate", False),
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_review(request, scenario, form, status=400)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect(scenario)
    messages.success(
        request,
        _("Decision recorded: %(decision)s. The product owner has been notified.")
        % {"decision": review.get_decision_display().lower()},
    )
    return redirect(scenario)


@require_GET
def decision_record_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = selectors.scenario_detail(actor(request), pk)
    body = decision_record.to_markdown(decision_record.build(scenario))
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="scenario-{scenario.pk}-decision-record.md"'
    )
    return response
