"""Real services on loopback for the reminder tests: an SMTP receiver and Celery worker processes."""

from __future__ import annotations

import asyncio
import email
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.ports import free_port

ROOT = Path(settings.BASE_DIR)


class Receiver:
    """An aiosmtpd handler that keeps every message; `delay` slows each one, like a busy relay."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def wait_for(self, n: int, timeout: float) -> int:
        """Wait until `n` messages arrived (or `timeout` passed); returns how many did."""
        end = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < end:
            time.sleep(0.005)
        return self.count()


@contextmanager
def smtp_receiver(delay: float = 0.0) -> Iterator[tuple[Receiver, int]]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    receiver = Receiver(delay)
    port = free_port()
    controller = Controller(receiver, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield receiver, port
    finally:
        controller.stop()


def server_url() -> str:
    """The PostgreSQL server of the test database, as a URL without a database name."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def database_url() -> str:
    """The test database as a URL, for a process outside pytest (PostgreSQL only)."""
    return f"{server_url()}/{connection.settings_dict['NAME']}"


def portal_env(*without: str, **extra: str) -> dict[str, str]:
    """The environment of a portal process: this one's, minus `without` and what pytest set,
    plus `extra`."""
    dropped = {"EMAIL_BACKEND", *without}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(PYTHONUNBUFFERED="1", EMAIL_USE_TLS="false", **extra)
    return env


class Process:
    """A portal command in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no shutdown at all."""
        self._signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, sig: signal.Signals) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "portal", *args]


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def wait_until(check: Callable[[], bool], timeout: float, what: str, process: Process) -> None:
    end = time.monotonic() + timeout
    while not check():
        if process.popen.poll() is not None or time.monotonic() > end:
            raise AssertionError(f"{what}; output:\n{process.output()[-4000:]}")
        time.sleep(0.1)
