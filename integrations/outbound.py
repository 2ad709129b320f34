"""Every request the portal sends to a URL someone registered: webhook endpoints, chat channels,
Slack response URLs. The guard refuses what is not plain http(s) to a public address.

The host is resolved once, every address is checked, and the connection goes to the checked
address (the name is kept for the Host header and TLS), so a second DNS answer cannot point
the request elsewhere. Redirects are never followed; every request has a timeout.

Why a URL is refused is said in the reader's language when a form checks it, and in the source
language when a delivery is refused, since the delivery keeps the reason.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

USER_AGENT = "ai-operating-model-portal-webhooks/1"


class RefusedTarget(ValueError):
    """The URL may not be called: wrong scheme, or a non-public address not allow-listed."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


@dataclass(frozen=True)
class Response:
    status: int
    latency_ms: int


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def allowed_hosts() -> set[str]:
    return {host.lower() for host in settings.WEBHOOK_ALLOWED_HOSTS}


def resolve(url: str) -> Target:
    """The checked target of a URL, or RefusedTarget saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RefusedTarget(gettext("Only http and https URLs with a host name are allowed."))
    if parts.username or parts.password:
        raise RefusedTarget(gettext("URLs with credentials in them are not allowed."))
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise RefusedTarget(
            gettext("The host %(host)s cannot be resolved.") % {"host": host}
        ) from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    if host not in allowed_hosts() and any(_blocked(address) for address in addresses):
        raise RefusedTarget(
            gettext(
                "The host %(host)s resolves to a private, loopback, link-local or reserved address."
            )
            % {"host": host}
        )
    path = parts.path or "/"
    return Target(
        parts.scheme, host, port, addresses[0], f"{path}?{parts.query}" if parts.query else path
    )


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
    )
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, target.port, timeout=timeout, retries=False,
            server_hostname=target.host, assert_hostname=target.host,
        )  # fmt: skip
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)


def post_json(
    url: str, body: str | dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """POST JSON to a guarded URL. Raises RefusedTarget, or urllib3's errors on failure."""
    with translation.override(None):  # the reason a delivery keeps is in the source language
        target = resolve(url)
    data = body if isinstance(body, str) else json.dumps(body)
    sent = {"Host": target.host if target.port in {80, 443} else f"{target.host}:{target.port}",
            "Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}  # fmt: skip
    started = time.monotonic()
    with _pool(target) as pool:
        response = pool.urlopen(
            "POST", target.path, body=data.encode(), headers=sent, redirect=False,
            retries=False, preload_content=True,
        )  # fmt: skip
    return Response(response.status, int((time.monotonic() - started) * 1000))
