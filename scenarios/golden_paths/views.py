"""Golden-path template pages: everyone reads them; the platform publishes and edits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.auth import actor
from scenarios import policies
from scenarios.golden_paths import selectors as golden_path
from scenarios.golden_paths import services as template_services
from scenarios.golden_paths.forms import ScenarioTemplateForm
from scenarios.models import ScenarioTemplate


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    context = {
        "templates": golden_path.current_templates(),
        "can_manage": policies.can_manage_templates(actor(request)),
    }
    return render(request, "scenarios/templates/list.html", context)


@require_GET
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = golden_path.get_template(pk)
    versions = list(golden_path.template_versions(template))
    context = {
        "template": template,
        "versions": versions,
        "current": next((v for v in versions if v.is_current), None),
        "can_manage": policies.can_manage_templates(actor(request)),
    }
    return render(request, "scenarios/templates/detail.html", context)


def _save(request: HttpRequest, form: ScenarioTemplateForm, pk: int | None) -> ScenarioTemplate:
    data, tools = form.service_data(), form.cleaned_data["allowed_tools"]
    if pk is None:
        return template_services.template_create(actor=actor(request), data=data, tools=tools)
    return template_services.template_update(actor=actor(request), pk=pk, data=data, tools=tools)


def _form_page(
    request: HttpRequest, form: ScenarioTemplateForm, current: ScenarioTemplate | None
) -> HttpResponse:
    return render(request, "scenarios/templates/form.html", {"form": form, "current": current})


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_templates(actor(request)):
        raise PermissionDenied(_("Only the platform publishes intake templates."))
    form = ScenarioTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = _save(request, form, None)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Published “%(template)s”.") % {"template": template})
            return redirect(template)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_manage_templates(actor(request)):
        raise PermissionDenied(_("Only the platform edits intake templates."))
    current = golden_path.get_template(pk)
    form = ScenarioTemplateForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            template = _save(request, form, pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if template.pk == current.pk:
                messages.info(request, _("Nothing changed: no new version published."))
            else:
                messages.success(
                    request,
                    _(
                        "Published version %(version)s. Scenarios started from earlier versions "
                        "keep theirs."
                    )
                    % {"version": template.version},
                )
            return redirect(template)
    return _form_page(request, form, current)


@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    template = golden_path.get_template(pk)
    template_services.template_retire(actor=actor(request), pk=pk)
    messages.success(
        request,
        _("“%(name)s” withdrawn: new scenarios can no longer use it.") % {"name": template.name},
    )
    return redirect(template)
