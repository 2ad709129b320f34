"""HTML pages of the playground, and the retry of a failed gateway move. Each POST calls one
service; everything works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gateway import policies, selectors, services
from gateway.forms import PlaygroundForm
from portal.core.auth import actor
from portal.core.errors import TransitionConflict
from portal.core.pagination import paginate
from scenarios.selectors import get_scenario_for


@require_http_methods(["GET", "POST"])
def playground(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    scenario = get_scenario_for(user, pk)
    if not policies.can_use_playground(user, scenario):
        raise PermissionDenied(_("Only the scenario's team and the platform use its playground."))
    aliases = [alias.name for alias in selectors.playground_aliases(scenario)]
    form = PlaygroundForm(request.POST or None, aliases=aliases)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.playground_run(
                scenario.pk, actor=user, prompt=form.cleaned_data["prompt"],
                alias_name=form.cleaned_data["alias"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(run)
    paged = paginate(request, selectors.runs_of(user, scenario))
    return render(request, "gateway/playground.html", {
        **paged, "form": form, "scenario": scenario, "aliases": aliases,
        "runs": paged["page_obj"].object_list,
    })  # fmt: skip


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(actor(request), pk)
    return render(request, "gateway/run.html", {"run": run, "scenario": run.scenario})


@require_POST
def move_retry(request: HttpRequest, pk: int) -> HttpResponse:
    move = selectors.get_move(pk)
    try:
        services.move_retry(move.pk, actor=actor(request))
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The move of %(alias)s is applied again.") % {"alias": move.alias}
        )
    return redirect(move.release)
