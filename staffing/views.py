"""Hiring profile and team onboarding pages. Writes go through services."""

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
from portal.core.transitions import available_actions, catalogue
from staffing import checklist, policies, selectors, services
from staffing.export import profile_markdown
from staffing.forms import (
    NewProfileForm,
    OnboardingFilterForm,
    OnboardingRequestForm,
    ProfileFilterForm,
    ProfileForm,
    TickForm,
    skills_text,
)
from staffing.models import HiringProfile, TeamOnboarding

PROFILE_ACTIONS = catalogue(HiringProfile, "publish")
ONBOARDING_ACTIONS = catalogue(TeamOnboarding, "start", "complete")


def _act(request: HttpRequest, back: str, run: Callable[[], Any], done: str) -> HttpResponse:
    try:
        run()
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(back)


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("staffing:profiles")


@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    """Profiles with search and filters; flagged ones marked."""
    user = actor(request)
    form = ProfileFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    rows = selectors.profiles(
        user, text=params.get("q", ""), role=params.get("role", ""),
        flagged=bool(params.get("flagged")), current=bool(params.get("current")),
    )  # fmt: skip
    context = {"form": form, "can_edit": policies.can_edit_profiles(user)}
    return render(request, "staffing/profile_list.html", {**context, **paginate(request, rows)})


@require_GET
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    found = selectors.profile(user, pk)
    return render(
        request,
        "staffing/profile_detail.html",
        {
            "profile": found,
            "missing": found.missing_areas(),
            "versions": selectors.profile_versions(found),
            "can_edit": policies.can_edit_profiles(user),
            "actions": available_actions(found, user, PROFILE_ACTIONS),
            "action_base": found.get_absolute_url(),
            "entries": history_for(found),
        },
    )


@require_GET
def profile_markdown_export(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.profile(actor(request), pk)
    response = HttpResponse(profile_markdown(found), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hiring-profile-{found.pk}.md"'
    return response


def profile_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not policies.can_edit_profiles(user):
        raise PermissionDenied(_("Only the platform writes hiring profiles."))
    form = NewProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.profile_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Draft profile saved. Publish it when it is ready."))
            return redirect(created.get_absolute_url())
    return render(request, "staffing/profile_form.html", {"form": form, "editing": None})


def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    found = selectors.profile(user, pk)
    if not policies.can_edit_profiles(user):
        raise PermissionDenied(_("Only the platform writes hiring profiles."))
    initial = {"title": found.title, "summary": found.summary, "skills": skills_text(found)}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.profile_edit(found.pk, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Saved as draft version %(version)s.") % {"version": draft.version}
            )
            return redirect(draft.get_absolute_url())
    return render(request, "staffing/profile_form.html", {"form": form, "editing": found})


@require_POST
def profile_publish(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.profile(actor(request), pk)
    return _act(
        request, found.get_absolute_url(),
        lambda: services.profile_publish(found.pk, actor=actor(request)),
        _("Published; the version before it is superseded."),
    )  # fmt: skip


@require_GET
def onboarding_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = OnboardingFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    rows = selectors.onboardings(user, status=params.get("status", ""))
    return render(
        request, "staffing/onboarding_list.html", {"form": form, **paginate(request, rows)}
    )


def onboarding_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not policies.may_request_onboardings(user):
        raise PermissionDenied(_("The platform or a team's product owners ask for onboarding."))
    form = OnboardingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.onboarding_request(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Onboarding requested; its owner is reminded while it waits.")
            )
            return redirect(created.get_absolute_url())
    return render(request, "staffing/onboarding_form.html", {"form": form})


@require_GET
def onboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    found = selectors.onboarding(user, pk)
    return render(
        request,
        "staffing/onboarding_detail.html",
        {
            "onboarding": found,
            "items": checklist.items(found),
            "can_tick": policies.can_tick(user, found),
            "actions": available_actions(found, user, ONBOARDING_ACTIONS),
            "action_base": found.get_absolute_url(),
            "entries": history_for(found),
        },
    )


@require_POST
def onboarding_start(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.onboarding(actor(request), pk)
    return _act(
        request, found.get_absolute_url(),
        lambda: services.onboarding_start(found.pk, actor=actor(request)),
        _("Onboarding started."),
    )  # fmt: skip


@require_POST
def onboarding_complete(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.onboarding(actor(request), pk)
    return _act(
        request, found.get_absolute_url(),
        lambda: services.onboarding_complete(found.pk, actor=actor(request)),
        _("The team is onboarded."),
    )  # fmt: skip


@require_POST
def onboarding_tick(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.onboarding(actor(request), pk)
    form = TickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a checklist item."))
        return redirect(found.get_absolute_url())
    return _act(
        request, found.get_absolute_url(),
        lambda: services.onboarding_tick(found.pk, actor=actor(request),
                                         item=form.cleaned_data["item"]),
        _("Item ticked."),
    )  # fmt: skip
