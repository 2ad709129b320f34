"""What a page left in English when rendered in Russian: `english_left(russian, english)` names
the texts inside <main> that read the same in both renderings and still hold an English word."""

from __future__ import annotations

import re
from collections.abc import Set
from html.parser import HTMLParser

# Words that read the same in both languages: codes, units and names of things.
NEUTRAL = frozenset(
    {"API", "JSON", "CSV", "URL", "UTC", "SLA", "p90", "RACI", "MTTR", "Slack", "Microsoft",
     "Teams", "Standard", "Webhooks", "SEV1", "SEV2", "SEV3", "SEV4"}
)  # fmt: skip
READ_ATTRIBUTES = frozenset({"aria-label", "title", "placeholder", "alt", "data-confirm"})


class _MainTexts(HTMLParser):
    """The texts a reader meets inside <main>: text between tags and the attributes read out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if self.depth:
            for name, value in attrs:
                if name in READ_ATTRIBUTES and value:
                    self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.texts.add(" ".join(data.split()))


def main_texts(html: str) -> set[str]:
    parser = _MainTexts()
    parser.feed(html)
    return parser.texts


def english_left(russian: str, english: str, *, others: Set[str] = frozenset()) -> set[str]:
    """Texts that read the same in Russian as in English and still hold an English word: what
    was left untranslated. `others` are names of things and labels the page shows from apps
    that translate them elsewhere."""
    same = main_texts(russian) & main_texts(english)
    return {
        text for text in same - others if set(re.findall(r"[A-Za-z][A-Za-z0-9]+", text)) - NEUTRAL
    }
