"""Runs the test identity provider (tests/identity/provider/) as a separate process on a
loopback port: its own settings and SQLite file, an RSA signing key made at start."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.ports import free_port

PROJECT = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "portal"
CLIENT_SECRET = secrets.token_urlsafe(24)
REDIRECT_URI = "http://testserver/oidc/callback/"


def rsa_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class IdentityProvider:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/o"
        self.tamper_file = workdir / "tamper.json"
        self.foreign_key = workdir / "foreign.pem"
        key_file = workdir / "signing.pem"
        key_file.write_bytes(rsa_key_pem())
        self.foreign_key.write_bytes(rsa_key_pem())
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "idp.settings",
            "IDP_SECRET_KEY": secrets.token_urlsafe(32),
            "IDP_DATABASE": str(workdir / "idp.sqlite3"),
            "IDP_ISSUER": self.issuer,
            "IDP_KEY_FILE": str(key_file),
            "IDP_TAMPER_FILE": str(self.tamper_file),
        }
        self.env.pop("DATABASE_URL", None)
        self._process: subprocess.Popen[bytes] | None = None
        self._log = workdir / "server.log"

    def manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, str(PROJECT / "manage.py"), *args],
            env=self.env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"provider manage.py {args[0]} failed:\n{done.stderr.decode()}")

    def start(self) -> None:
        self.manage("migrate", "--noinput")
        self.seed()
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    str(PROJECT / "manage.py"),
                    "runserver",
                    f"127.0.0.1:{self.port}",
                    "--noreload",
                    "--nothreading",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if requests.get(self.discovery_url, timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the identity provider did not start:\n{self._log.read_text()}")

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def seed(self, *people: str) -> None:
        """People as `username:password:email:group,group` (their groups are replaced)."""
        self.manage("seed_provider", CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, *people)

    def tamper(self, **changes: object) -> None:
        self.tamper_file.write_text(json.dumps(changes))

    def behave(self) -> None:
        self.tamper_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
