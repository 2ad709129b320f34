"""Throttling failed sign-ins with django-axes: whose address counts, the two limits, the answer
while locked out (the sign-in page and the token exchange) and the audit row of each lockout.

A username at one address is locked after AXES_FAILURE_LIMIT failures within the cool-off
period, and an address, whatever the usernames it tries, after AXES_IP_FAILURE_LIMIT. Every
attempt while locked out counts as a failure and so starts the cool-off again."""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from portal.core.audit import history_for
from portal.core.transitions import lock, record_change

LOCK_OUT = "lock_out"


def cool_off_minutes() -> int:
    cool_off = get_cool_off()
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def lockout_message() -> str:
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def client_ip(request: Any) -> str:
    """The peer's address; behind TRUSTED_PROXY_COUNT proxies, the address the outermost one
    appended to X-Forwarded-For (what the client itself wrote there is never trusted)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return peer  # did not come through the proxies
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return peer


def _recent_failures(request: Any, username: str | None) -> tuple[int, int]:
    """Failures within the cool-off: of this username at this address, and of this address."""
    recent = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    totals = recent.aggregate(
        address=Sum("failures_since_start"),
        user=Sum("failures_since_start", filter=Q(username=username)),
    )
    return totals["user"] or 0, totals["address"] or 0


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit for an address on its own, and an
    audit row when a lockout starts."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        by_user, by_address = _recent_failures(request, get_client_username(request, credentials))
        request.axes_failures_by_address = by_address
        if by_address >= settings.AXES_IP_FAILURE_LIMIT:
            # Counts as the username's limit reached, which is what axes compares with.
            return max(by_user, get_failure_limit(request, credentials))
        return by_user

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and request.axes_locked_out:
            lockout_record(request, credentials)


def lockout_record(request: Any, credentials: dict[str, Any] | None) -> None:
    """Audit the start of a lockout of a username at an address, once per lockout: the attempt
    row is locked, so two failures at once write one row. Nobody acts: the system records it."""
    username = get_client_username(request, credentials)
    found = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address, user_agent=request.axes_user_agent
    ).first()
    if found is None:
        return
    with transaction.atomic():
        _lockout_record(request, lock(AccessAttempt, found.pk), username)


def _lockout_record(request: Any, attempt: AccessAttempt, username: str | None) -> None:
    if history_for(attempt).filter(transition=LOCK_OUT).exists():
        return
    by_address = getattr(request, "axes_failures_by_address", 0)
    if by_address >= settings.AXES_IP_FAILURE_LIMIT:
        failures = f"{by_address} failed sign-ins from this address"
    else:
        failures = f"{request.axes_failures_since_start} failed sign-ins"
    record_change(
        attempt,
        action=LOCK_OUT,
        source="active",
        target="locked_out",
        actor=None,
        comment=f"{failures}; locked for {cool_off_minutes()} minutes.",
        label=f"{username or '(no username)'} from {request.axes_ip_address}",
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page (HTML sign-ins: the portal's and the admin's) saying for how long."""
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": lockout_message(),
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(cool_off_minutes() * 60)
    return response


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(lockout_message())
        self.wait = cool_off_minutes() * 60  # DRF sends it as Retry-After


class SignInBasicAuthentication(BasicAuthentication):
    """HTTP Basic that answers 429 instead of 401 while the sign-in is locked out."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Any = None
    ) -> tuple[Any, None]:
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise


class SignInBasicScheme(OpenApiAuthenticationExtension):
    target_class = SignInBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "basic"}
