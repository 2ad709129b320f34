"""The profile page with personal API tokens, and the admins' page of every token."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.core import policies, selectors, token_services
from portal.core.auth import actor
from portal.core.forms import TokenForm
from portal.core.pagination import paginate


def _profile(request: HttpRequest, form: TokenForm, new_token: str = "") -> HttpResponse:
    context = {
        "form": form,
        "tokens": selectors.tokens_of(actor(request)),
        "new_token": new_token,
        "can_manage_all": policies.can_manage_all_tokens(actor(request)),
    }
    return render(request, "core/profile.html", context)


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request, TokenForm())


@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form)
    _token, text = token_services.token_create(
        actor(request),
        name=form.cleaned_data["name"],
        expires_in_days=form.cleaned_data["expires_in_days"],
    )
    # Rendered, not redirected: the token text must not be kept anywhere, not even in the session.
    return _profile(request, TokenForm(), new_token=text)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_services.token_revoke(pk, actor=actor(request))
    messages.success(
        request,
        _("Token “%(name)s” revoked; requests with it now get 401.") % {"name": token.name},
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("profile")


@require_GET
def all_tokens(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_all_tokens(actor(request)):
        raise PermissionDenied(_("Only admins see every user's tokens."))
    username = request.GET.get("user", "").strip()
    paged = paginate(request, selectors.all_tokens(username), per_page=50)
    context = {**paged, "tokens": paged["page_obj"].object_list, "username": username}
    return render(request, "core/tokens.html", context)
