"""HTML views for incidents: short, thin, and all writes through incidents.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import forms, metrics, policies, selectors, services
from incidents.filters import IncidentFilter
from incidents.models import Incident
from portal.core import long_choices
from portal.core.audit import history_for
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.long_choices import PersonChoiceField
from portal.core.pagination import paginate
from scenarios.selectors import open_vacancies


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (others go on top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


METRICS_WINDOW = dt.timedelta(days=30)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
    return _("%(days)s days") % {"days": formats.number_format(hours / 24, 1)}


def _recent_times() -> dict[str, Any]:
    """MTTR and time to acknowledge over the last 30 days, from incidents.metrics."""
    end = timezone.now()
    figures = {}
    for measure in ("resolve", "acknowledge"):
        stats = metrics.overall_time_stats(end - METRICS_WINDOW, end, measure=measure)
        figures[measure] = {
            "count": stats.count,
            "median": _duration(stats.median),
            "p90": _duration(stats.p90),
        }
    return figures


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    filterset = IncidentFilter(
        request.GET or None, queryset=selectors.visible_incidents(actor(request))
    )
    paged = paginate(request, filterset.qs)
    return render(
        request,
        "incidents/list.html",
        {
            **paged,
            "filter": filterset,
            "incidents": paged["page_obj"].object_list,
            "can_open": policies.can_open(actor(request)),
            "times": _recent_times(),
        },
    )


@require_http_methods(["GET", "POST"])
def incident_open(request: HttpRequest) -> HttpResponse:
    if not policies.can_open(actor(request)):
        raise PermissionDenied(_("You may not open incidents."))
    pick = forms.ScenarioPickForm(request.GET or None, user=actor(request))
    if not pick.is_valid():
        return render(request, "incidents/pick_scenario.html", {"form": pick})
    scenario = pick.cleaned_data["scenario"]
    snapshot = selectors.owner_snapshot(scenario, actor(request))
    form = forms.IncidentOpenForm(request.POST or None, scenario=scenario, snapshot=snapshot)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_open(
                scenario=scenario, actor=actor(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Incident opened; %(owner)s is notified.") % {"owner": incident.incident_owner},
            )
            return redirect(incident)
    if snapshot.complete:
        del form.fields["accept_interim_owner"]
    context = {"form": form, "scenario": scenario, "snapshot": snapshot}
    return render(request, "incidents/open.html", context)


def _detail_context(request: HttpRequest, incident: Incident, **forms_given: Any) -> dict[str, Any]:
    user = actor(request)
    people = long_choices.read(PersonChoiceField, selectors.hand_over_candidates(incident))
    choices = selectors.rollback_choices(incident, user)
    postmortem = selectors.postmortem_of(incident)
    actions = selectors.incident_actions(incident, user)
    can_write_pm = policies.can_write_postmortem(user, incident) and not incident.is_final
    context: dict[str, Any] = {
        "incident": incident,
        "postmortem": postmortem,
        "escalation": selectors.escalation_people(incident),
        "actions": actions,
        "delegate_actions": selectors.delegate_actions(incident, user, actions),
        "action_base": f"{incident.get_absolute_url()}",
        "close_blocked": selectors.close_blocked(incident),
        "entries": history_for(incident),
        "timeline_title": _("Audit trail"),
        "can_update": policies.can_add_update(user, incident) and not incident.is_final,
        "can_hand_over": policies.can_hand_over(user, incident) and not incident.is_final,
        "rollback_choices": choices,
        "release_rollback": selectors.RELEASE_ROLLBACK,
        "can_write_postmortem": can_write_pm,
        "update_form": forms.UpdateForm(),
        "hand_over_form": forms.HandOverForm(people=people),
        "vacancies": open_vacancies(incident),
    }
    if selectors.can_roll_back_now(incident, user):
        context["release_rollback_form"] = forms.RollbackForm(
            incident=incident, choices=choices, for_tool=False
        )
        context["tool_rollback_form"] = forms.RollbackForm(
            incident=incident, choices=choices, for_tool=True
        )
    if can_write_pm:
        context["postmortem_form"], context["action_items"] = _postmortem_forms(postmortem, people)
    context.update(forms_given)
    return context


def _postmortem_forms(postmortem: Any, people: list[Any], data: Any = None) -> tuple[Any, Any]:
    initial, items = {}, []
    if postmortem is not None:
        initial = {
            name: getattr(postmortem, name)
            for name in ("summary", "timeline", "contributing_factors", "what_went_well")
        }
        items = [
            {"description": i.description, "owner": i.owner_id, "due_on": i.due_on, "done": i.done}
            for i in postmortem.action_items.all()
        ]
    form = forms.PostmortemForm(data, initial=initial)
    formset = forms.ActionItemFormSet(
        data, initial=items, prefix="items", form_kwargs={"people": people}
    )
    return form, formset


@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for(actor(request), pk)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


def _fetch(request: HttpRequest, pk: int) -> Incident:
    incident = selectors.visible_incidents(actor(request)).filter(pk=pk).first()
    if incident is None:
        raise Http404(_("No such incident."))
    return incident


@require_POST
def incident_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    incident = _fetch(request, pk)
    service = services.TRANSITIONS.get(name)
    if service is None:
        raise Http404(_("No such action."))
    try:
        service(
            incident.pk,
            actor=actor(request),
            comment=request.POST.get("comment", ""),
            as_delegate=request.POST.get("as_delegate") == "1",
        )
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    else:
        incident.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("The incident is now %(state)s.") % {"state": incident.get_status_display().lower()},
        )
    return redirect(incident)


@require_POST
def incident_add_update(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _fetch(request, pk)
    form = forms.UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.incident_add_update(incident.pk, actor=actor(request), **form.cleaned_data)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Update added to the timeline."))
            return redirect(incident)
    else:
        messages.error(request, _("Write the update before posting it."))
    return redirect(incident)


def _rerender(request: HttpRequest, pk: int, **forms_given: Any) -> HttpResponse:
    incident = selectors.incident_for(actor(request), pk)
    context = _detail_context(request, incident, **forms_given)
    return render(request, "incidents/detail.html", context, status=400)


@require_POST
def incident_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _fetch(request, pk)
    if not policies.can_hand_over(actor(request), incident):
        raise PermissionDenied(
            _("Only the incident owner, or whom they handed it to, may hand over.")
        )
    form = forms.HandOverForm(request.POST)
    if form.is_valid():
        try:
            services.incident_hand_over(incident.pk, actor=actor(request), **form.cleaned_data)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(incident)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Incident handed over to %(person)s.") % {"person": form.cleaned_data["to"]},
            )
            return redirect(incident)
    return _rerender(request, pk, hand_over_form=form)


@require_POST
def incident_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for(actor(request), pk)
    if not policies.can_rollback(actor(request), incident):
        raise PermissionDenied(_("Only the incident's owners and the platform team may roll back."))
    for_tool = request.POST.get("kind") == "tool"
    choices = selectors.rollback_choices(incident, actor(request))
    form = forms.RollbackForm(request.POST, incident=incident, choices=choices, for_tool=for_tool)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.incident_rollback(
                incident.pk,
                actor=actor(request),
                kind=data["kind"],
                release_id=data["release"].pk,
                tool_id=data["tool"].pk if data.get("tool") else None,
                reason=data["reason"],
            )
        except TransitionConflict as exc:
            messages.error(request, _("Rollback refused: %(reason)s") % {"reason": exc.message})
            return redirect(incident)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Rollback done and recorded."))
            return redirect(incident)
    key = "tool_rollback_form" if for_tool else "release_rollback_form"
    return _rerender(request, pk, **{key: form})


@require_POST
def incident_postmortem(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for(actor(request), pk)
    if not policies.can_write_postmortem(actor(request), incident):
        raise PermissionDenied(
            _("Only the incident owner and the platform team write the postmortem.")
        )
    people = list(selectors.hand_over_candidates(incident))
    form, items = _postmortem_forms(None, people, request.POST)
    if form.is_valid() and items.is_valid():
        try:
            services.incident_postmortem_save(
                incident.pk,
                actor=actor(request),
                action_items=[i for i in items.cleaned_data if i],
                **form.cleaned_data,
            )
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(incident)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Postmortem saved."))
            return redirect(f"{incident.get_absolute_url()}#postmortem")
    return _rerender(request, pk, postmortem_form=form, action_items=items)
