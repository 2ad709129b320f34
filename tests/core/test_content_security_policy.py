"""The Content-Security-Policy: every page gets it, and no template needs an exception to it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# What the policy refuses: inline scripts and styles, handler and style attributes,
# javascript: links. A nonce'd inline element is allowed where its view asks for a nonce.
INLINE = re.compile(
    r"<script\b(?![^>]*\b(?:src|nonce)=)[^>]*>|<style\b(?![^>]*\bnonce=)"
    r"|\son[a-z]+\s*=|\sstyle\s*=|javascript:",
    re.IGNORECASE,
)


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.django_db
def test_every_page_is_served_with_the_strict_policy(client: Client, product_owner: Any) -> None:
    assert policy(client.get("/login/")) == STRICT
    client.force_login(product_owner)
    for url in ("/", "/scenarios/", "/releases/", "/dashboard/", "/profile/", "/no-such-page/"):
        assert policy(client.get(url)) == STRICT, url


@pytest.mark.django_db
def test_api_docs_allow_only_their_own_nonce(client: Client) -> None:
    response = client.get("/api/docs/")
    found = policy(response)
    nonce = re.search(r'<script nonce="([^"]+)">', response.content.decode())
    assert nonce, "the docs' inline bootstrap script carries the nonce"
    expected = f"'nonce-{nonce.group(1)}'"
    assert found["script-src"] == ["'self'", expected]
    assert found["style-src"] == ["'self'", expected]
    assert {k: v for k, v in found.items() if k not in ("script-src", "style-src")} == {
        k: v for k, v in STRICT.items() if k not in ("script-src", "style-src")
    }
    assert f'<style nonce="{nonce.group(1)}">' in response.content.decode()
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_no_template_has_inline_script_or_style() -> None:
    """Emails are exempt: they are read in mail clients, not served under the policy."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "emails" not in path.relative_to(TEMPLATES).parts
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
