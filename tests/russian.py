"""For the tests that check a page speaks Russian: a browser that asks for Russian, what a
reader sees of a page (the text of `<main>` and the attributes a reader meets, without the parts
named in `skip`), the Latin words left in it once the names that read the same in every
language are taken out, and the texts that read the same in a Russian and an English rendering
(`english_left`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from django.utils import translation

LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# Product and format names, the same in both languages.
NAMES = frozenset({"eval", "Eval", "MLflow", "UTC", "CSV", "LiteLLM"})
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")
# Words that read the same in both languages: codes, units and names of things (english_left).
NEUTRAL = frozenset(
    {"API", "JSON", "CSV", "URL", "UTC", "SLA", "p90", "RACI", "MTTR", "Slack", "Microsoft",
     "Teams", "Standard", "Webhooks", "SEV1", "SEV2", "SEV3", "SEV4"}
)  # fmt: skip
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "col", "area", "source", "wbr"})


class RussianReader(Client):
    """A signed-in browser whose every request asks for Russian (Accept-Language: ru). The
    test's own code goes on in the language it had: LocaleMiddleware activates the request's
    language in the thread, and the override undoes that once the response is back."""

    def __init__(self, user: Any) -> None:
        super().__init__()
        self.force_login(user)

    def request(self, **request: Any) -> Any:
        with translation.override("ru"):
            return super().request(**{**request, "HTTP_ACCEPT_LANGUAGE": "ru"})


class _MainText(HTMLParser):
    def __init__(self, skip: Iterable[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = set(skip)
        self.depth = 0  # inside <main>: element nesting depth, 0 outside
        self.skipping_at = 0  # the depth of the skipped element we are in, 0 when none
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main" and not self.depth:
            self.depth = 1
            return
        if not self.depth or tag in VOID:
            self._attributes(attrs)
            return
        self.depth += 1
        classes = set((dict(attrs).get("class") or "").split())
        if not self.skipping_at and classes & self.skip:
            self.skipping_at = self.depth
        self._attributes(attrs)

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth and not self.skipping_at:
            self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in VOID:
            return
        if self.skipping_at == self.depth:
            self.skipping_at = 0
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skipping_at:
            self.parts.append(data)


def _main_parts(html: str, skip: Iterable[str] = ()) -> list[str]:
    parser = _MainText(skip)
    parser.feed(re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S | re.I))
    return parser.parts


def main_text(html: str, skip: Iterable[str] = ()) -> str:
    """The visible text of the page's `<main>`, leaving out elements with a class in `skip`."""
    return " ".join(" ".join(_main_parts(html, skip)).split())


def english_left(russian: str, english: str, *, others: Set[str] = frozenset()) -> set[str]:
    """Texts inside `<main>` that read the same in Russian as in English and still hold an
    English word: what was left untranslated. `others` are names of things and labels the page
    shows from apps that translate them elsewhere."""

    def texts(html: str) -> set[str]:
        return {" ".join(part.split()) for part in _main_parts(html) if part.strip()}

    same = texts(russian) & texts(english)
    return {
        text for text in same - others if set(re.findall(r"[A-Za-z][A-Za-z0-9]+", text)) - NEUTRAL
    }


def latin_words(text: str, *data: str) -> set[str]:
    """The Latin words of `text` that are neither product names nor in the `data` shown."""
    allowed = set(NAMES)
    for value in data:
        allowed |= set(LATIN_WORD.findall(value))
    return set(LATIN_WORD.findall(text)) - allowed
