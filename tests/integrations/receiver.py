"""A real HTTP receiver on loopback: verifies every Standard Webhooks signature it gets and
counts requests and unique webhook-ids. Also keeps chat (Slack, Teams) posts as JSON."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.ports import free_port


@dataclass
class Received:
    """What the receiver saw. `secrets` verify webhooks (any one may match); `status` is the
    answer; `delay` holds each answer back, like a slow receiver."""

    secrets: list[str] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    location: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, path: str, headers: dict[str, str], body: bytes) -> None:
        entry = {"path": path, "headers": headers, "body": json.loads(body or b"null")}
        if "webhook-id" in headers and not self._verified(headers, body):
            with self.lock:
                self.bad_signatures += 1
            return
        with self.lock:
            self.posts.append(entry)

    def _verified(self, headers: dict[str, str], body: bytes) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(
                p["headers"]["webhook-id"] for p in self.posts if "webhook-id" in p["headers"]
            )

    def count(self) -> int:
        with self.lock:
            return len(self.posts)

    def wait_for(self, n: int, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < end:
            time.sleep(0.01)
        return self.count()


def _handler(received: Received) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            received.record(self.path, headers, body)
            time.sleep(received.delay)
            self.send_response(received.status)
            if received.location:
                self.send_header("Location", received.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def http_receiver(received: Received, port: int | None = None) -> Iterator[str]:
    """Serve on 127.0.0.1 (a free port of this checkout's range, or `port`); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), _handler(received))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
