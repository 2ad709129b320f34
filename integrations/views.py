"""Admin pages for webhook endpoints, team pages for chat channels, the Slack link page and the
Slack interaction endpoint. Each POST calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations import policies, selectors, services, slack
from integrations.forms import ChannelForm, EndpointForm
from integrations.models import ChatChannel, Delivery, WebhookEndpoint
from portal.core.auth import actor
from portal.core.models import Team
from portal.core.pagination import paginate


def _require_admin(request: HttpRequest) -> None:
    if not policies.can_manage_webhooks(actor(request)):
        raise PermissionDenied(gettext("Only admins manage webhook endpoints."))


def _endpoint_page(
    request: HttpRequest, endpoint: WebhookEndpoint, secret: str = ""
) -> HttpResponse:
    paged = paginate(request, selectors.delivery_log(endpoint), per_page=50)
    context = {
        **paged,
        "endpoint": endpoint,
        "deliveries": paged["page_obj"].object_list,
        "secret": secret,
    }
    return render(request, "integrations/endpoint_detail.html", context)


@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                actor=actor(request), data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the secret is shown once and kept nowhere else.
            return _endpoint_page(request, endpoint, secret)
    status = 400 if form.errors else 200
    context = {"form": form, "endpoints": selectors.endpoints()}
    return render(request, "integrations/endpoint_list.html", context, status=status)


@require_GET
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    return _endpoint_page(request, get_object_or_404(selectors.endpoints(), pk=pk))


@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    secret = services.endpoint_rotate_secret(pk, actor=actor(request))
    return _endpoint_page(request, get_object_or_404(selectors.endpoints(), pk=pk), secret)


@require_POST
def endpoint_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "on"
    endpoint = services.endpoint_set_active(pk, actor=actor(request), active=active)
    messages.success(
        request, gettext("Endpoint enabled.") if active else gettext("Endpoint disabled.")
    )
    return redirect(endpoint.get_absolute_url())


@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = services.delivery_redeliver(pk, actor=actor(request))
    event_type = get_object_or_404(Delivery, pk=pk).event.type
    messages.success(
        request, gettext("Delivery of %(event)s queued again.") % {"event": event_type}
    )
    return redirect(
        f"/integrations/webhooks/{delivery.endpoint_id}/" if delivery.endpoint_id else "home"
    )


@require_http_methods(["GET", "POST"])
def team_channels(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    if not policies.can_manage_channels(actor(request), team):
        raise PermissionDenied(gettext("Only the team's product owners manage its chat channels."))
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_create(actor=actor(request), team=team, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Channel added: the team's events now go there."))
            return redirect("integrations:team_channels", slug=team.slug)
    context = {"team": team, "form": form, "channels": selectors.channels_of(team)}
    return render(
        request, "integrations/channels.html", context, status=400 if form.errors else 200
    )


@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    slug = get_object_or_404(ChatChannel.objects.select_related("team"), pk=pk).team.slug
    services.channel_delete(pk, actor=actor(request))
    messages.success(request, gettext("Channel removed."))
    return redirect("integrations:team_channels", slug=slug)


@require_http_methods(["GET", "POST"])
def slack_link(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token") or request.GET.get("token", "")
    if request.method == "POST":
        if request.POST.get("unlink"):
            services.slack_unlink(actor=actor(request))
            messages.success(request, gettext("Your Slack account is no longer linked."))
            return redirect("integrations:slack_link")
        try:
            services.slack_link(actor=actor(request), token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, "integrations/slack_link.html", {"identity": selectors.slack_identity(actor(request))}, status=400)  # fmt: skip
        messages.success(
            request, gettext("Slack account linked: your sign-off buttons in Slack now act as you.")
        )
        return redirect("integrations:slack_link")
    context = {"identity": selectors.slack_identity(actor(request)), "token": token}
    return render(request, "integrations/slack_link.html", context)


@login_not_required
@csrf_exempt  # Slack signs the request instead (checked first thing)
@require_POST
def slack_interactions(request: HttpRequest) -> HttpResponse:
    try:
        body = request.body  # Slack posts a form; a multipart body is none it signed
        slack.verify(body, {key.lower(): value for key, value in request.headers.items()})
    except (slack.Refused, RawPostDataException) as exc:
        return JsonResponse({"detail": str(exc)}, status=401)
    try:
        click = slack.parse(body)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    message = slack.handle(click)
    transaction.on_commit(lambda: services.enqueue_slack_response(click.response_url, message))
    return HttpResponse(status=200)
