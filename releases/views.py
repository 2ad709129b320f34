"""HTML pages for releases, sign-offs and model aliases. Each POST calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from portal.core.selectors import app_selectors
from releases import policies, selectors, services
from releases.forms import CommentForm, ReleaseFilterForm, ReleaseForm, RollbackForm, SignOffForm
from releases.models import SignOff

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@require_GET
def release_list(request: HttpRequest) -> HttpResponse:
    form = ReleaseFilterForm(
        request.GET or None, scenarios=selectors.scenarios_for_filter(actor(request))
    )
    filters = selectors.ReleaseFilters()
    if form.is_valid():
        scenario = form.cleaned_data["scenario"]
        filters = selectors.ReleaseFilters(
            scenario=scenario.pk if scenario else None,
            status=form.cleaned_data["status"],
            awaiting=form.cleaned_data["awaiting"],
        )
    paged = paginate(request, selectors.release_list(actor(request), filters))
    return render(
        request,
        "releases/list.html",
        {
            **paged,
            "form": form,
            "releases": paged["page_obj"].object_list,
            "can_create": policies.can_open_release_form(actor(request)),
        },
    )


@require_GET
def sign_off_inbox(request: HttpRequest) -> HttpResponse:
    page, items = selectors.sign_off_inbox_page(actor(request), request.GET.get("page"))
    return render(request, "releases/inbox.html", {"items": items, "page_obj": page})


@require_GET
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = selectors.get_release_for(actor(request), pk, detail=True)
    page = selectors.release_page(release, actor(request))
    # Higher apps add panels with `selectors.release_panel(release, user)`: None or a dict
    # with its `template`, and optionally a `status_label` the page shows for the state.
    hooks = app_selectors("release_panel")
    page["panels"] = [panel for hook in hooks if (panel := hook(release, actor(request)))]
    page["status_label"] = next(
        (p["status_label"] for p in page["panels"] if p.get("status_label")), ""
    )
    return render(request, "releases/detail.html", page)


@require_http_methods(["GET", "POST"])
def release_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_open_release_form(actor(request)):
        raise PermissionDenied(
            _(
                "Only the scenario's team may draft releases, and only for approved or onboarded "
                "scenarios."
            )
        )
    scenarios = selectors.creatable_scenarios(actor(request))
    initial = {"scenario": request.GET.get("scenario")}
    form = ReleaseForm(request.POST or None, scenarios=scenarios, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.release_create(
                actor=actor(request),
                scenario=form.cleaned_data["scenario"],
                data=form.cleaned_fields(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft release created. Submit it when it is ready."))
            return redirect(release)
    return render(request, "releases/form.html", {"form": form, "release": None})


@require_http_methods(["GET", "POST"])
def release_edit(request: HttpRequest, pk: int) -> HttpResponse:
    release = selectors.get_release_for(actor(request), pk)
    if not policies.can_edit(actor(request), release):
        raise PermissionDenied(_("Only the scenario's team may edit a release, and only a draft."))
    form = ReleaseForm(request.POST or None, instance=release)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_update(release.pk, actor=actor(request), data=form.cleaned_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        except TransitionConflict as exc:
            messages.error(request, exc.message)
            return redirect(release)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(release)
    return render(request, "releases/form.html", {"form": form, "release": release})


def _run(
    request: HttpRequest, release: Any, call: Callable[[], Any], done: StrOrPromise
) -> HttpResponse:
    """Call a service and report the outcome as a message; PermissionDenied becomes a 403."""
    try:
        call()
    except TransitionConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(release)


def _transition_view(
    service: Callable[..., Any], done: StrOrPromise, *, with_comment: bool = False
) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        release = selectors.get_release_for(actor(request), pk)
        kwargs: dict[str, Any] = {}
        if with_comment:
            form = CommentForm(request.POST)
            kwargs["comment"] = form.cleaned_data["comment"] if form.is_valid() else ""
        return _run(
            request, release, lambda: service(release.pk, actor=actor(request), **kwargs), done
        )

    return view


release_submit = _transition_view(
    services.release_submit,
    gettext_lazy("Submitted: the quality and cost owners have been asked to sign off."),
)
release_revise = _transition_view(
    services.release_revise, gettext_lazy("Back to draft as a new revision."), with_comment=True
)
release_start_rollout = _transition_view(
    services.release_start_rollout, gettext_lazy("Rollout started.")
)
release_release = _transition_view(
    services.release_release, gettext_lazy("Released: the model alias now serves this release.")
)


@require_POST
def release_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    release = selectors.get_release_for(actor(request), pk)
    form = RollbackForm(request.POST)
    reason = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(
        request,
        release,
        lambda: services.release_rollback(release.pk, actor=actor(request), reason=reason),
        _("Rolled back: the model alias serves the previous release again."),
    )


@require_POST
def release_sign_off(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    release = selectors.get_release_for(actor(request), pk)
    if kind not in SignOff.Kind.values:
        raise Http404(_("No such sign-off."))
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(release)
    data = form.cleaned_data
    label = SignOff.Kind(kind).label
    done = (
        _("%(kind)s sign-off recorded: approved.")
        if data["decision"] == SignOff.Decision.APPROVE
        else _("%(kind)s sign-off recorded: rejected.")
    ) % {"kind": label}
    return _run(
        request,
        release,
        lambda: services.release_sign_off(
            release.pk,
            actor=actor(request),
            kind=kind,
            decision=data["decision"],
            comment=data["comment"],
            as_delegate=data["as_delegate"],
        ),
        done,
    )


@require_GET
def alias_list(request: HttpRequest) -> HttpResponse:
    return render(request, "releases/alias_list.html", {"aliases": selectors.alias_list()})


@require_GET
def alias_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alias = selectors.get_alias(pk)
    return render(
        request,
        "releases/alias_detail.html",
        {"alias": alias, "moves": selectors.alias_moves(alias)},
    )
