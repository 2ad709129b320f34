"""A throwaway redis-server on a loopback port, for tests that stop Redis mid-way.

The server keeps nothing on disk and belongs to the test alone: killing it never touches the
Redis of REDIS_URL. Its port comes from `tests.ports.free_port`."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time

import redis


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()

    def kill(self) -> None:
        """Stop it the hard way, as a crash would: no shutdown, open connections just break."""
        if self._process is None:
            return
        self._process.kill()
        self._process.wait(timeout=10)
        self._process = None
        while _listening(self.port):
            time.sleep(0.05)

    def pause(self) -> None:
        """Freeze it: connections are accepted by the kernel but nothing ever answers."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stored_keys(self) -> list[str]:
        client = redis.Redis.from_url(self.url, decode_responses=True)
        try:
            return sorted(client.keys("*"))
        finally:
            client.close()
