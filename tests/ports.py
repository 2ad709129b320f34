"""Loopback ports for the servers tests start (SMTP and webhook receivers, Redis, the identity
provider, MLflow, LiteLLM, portal processes): the one `free_port` of the suite.

Each pytest-xdist worker scans a range of its own (gw0: 19000-19199, gw1: 19200-19399, ...), so
two workers never pick the same port between one's probe and its server's bind; within a
process a port is handed out once until the range runs out. The bind probe skips ports where
anything else listens (another checkout's suite, say)."""

from __future__ import annotations

import os
import socket

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
PORTS = range(19000 + 200 * WORKER, 19200 + 200 * WORKER)
_handed_out: set[int] = set()


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A loopback port nobody listens on and this process has not handed out yet."""
    for _attempt in range(2):
        for port in PORTS:
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
        # Every port went out once: the servers of earlier tests are gone, start over.
        _handed_out.clear()
    raise RuntimeError(f"no free loopback port in {PORTS}")
