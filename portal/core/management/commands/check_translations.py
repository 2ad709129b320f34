"""Fails when a template holds text a reader sees that is not marked for translation.

    python manage.py check_translations            # every template under templates/

A template's visible text is what is left once the template language is taken out: text between
HTML tags, and the attributes a reader or a screen reader meets (title, aria-label, placeholder,
alt, and the value of buttons). Text inside `{% translate %}` / `{% blocktranslate %}` is marked;
`{{ variables }}`, other tags and comments are not text. Plain-text templates (emails' subject.txt
and body.txt) are all visible text. A literal counts when it holds a letter; words that read the
same in every language (ALLOWED) do not count.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Names and codes that are the same in every language.
ALLOWED = frozenset({"API", "CSV", "JSON", "OpenAPI", "Markdown", "ID", "URL", "SLA", "p50", "p90"})
READ_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})

_BLOCK_TRANSLATE = re.compile(
    r"{%-?\s*blocktrans(?:late)?\b.*?{%-?\s*endblocktrans(?:late)?\s*-?%}", re.S
)
_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?{%\s*endcomment\s*%}", re.S)
_VERBATIM_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_LETTER = re.compile(r"[^\W\d_]", re.U)
_WORD = re.compile(r"[^\W_][\w'’.-]*", re.U)


def _blank(match: re.Match[str]) -> str:
    """A space, keeping the newlines so that line numbers stay those of the template."""
    return " " + "\n" * match.group().count("\n")


def _strip_template_language(source: str) -> str:
    source = _COMMENT_BLOCK.sub(_blank, source)
    source = _BLOCK_TRANSLATE.sub(_blank, source)
    # Tags and variables become a neutral placeholder, so `href="{% url 'x' %}"` stays an
    # attribute and `{{ count }} items` still shows "items".
    return _TAG.sub(_blank, source)


def _literal(text: str) -> str | None:
    words = [word for word in _WORD.findall(text) if _LETTER.search(word)]
    words = [word for word in words if word.strip(".") not in ALLOWED]
    return " ".join(words) if words else None


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        is_button = tag == "button" or (
            tag == "input" and dict(attrs).get("type") in {"submit", "button", "reset"}
        )
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (name == "value" and is_button)
            if readable and value and (literal := _literal(value)):
                self.found.append((self.getpos()[0], f'{tag} {name}="{literal}"'))

    def handle_data(self, data: str) -> None:
        if literal := _literal(data):
            self.found.append((self.getpos()[0], literal))


def untranslated(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every literal in the template at path that a reader sees untranslated."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        stripped = _strip_template_language(source)
        return [
            (number, literal)
            for number, line in enumerate(stripped.splitlines(), start=1)
            if (literal := _literal(line))
        ]
    stripped = _strip_template_language(_VERBATIM_SCRIPT.sub(_blank, source))
    parser = _VisibleText()
    parser.feed(stripped)
    parser.close()
    return parser.found


def template_files() -> list[Path]:
    roots = [Path(root) for backend in settings.TEMPLATES for root in backend.get("DIRS", [])]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt"} and path.is_file()
    )


class Command(BaseCommand):
    help = "Fail when a template shows text not marked for translation."

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        problems = [
            f"{path.relative_to(base)}:{line}: {text}"
            for path in template_files()
            for line, text in untranslated(path)
        ]
        if problems:
            raise CommandError(
                f"{len(problems)} untranslated literal(s) in templates; wrap them in "
                "{% translate %} or {% blocktranslate %}:\n" + "\n".join(problems)
            )
        self.stdout.write(f"{len(template_files())} templates, every visible literal marked.")
