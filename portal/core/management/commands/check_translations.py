"""Fails when a template holds text a reader sees that is not marked for translation, or when
a committed catalogue is not what the source and its translators make of it.

    python manage.py check_translations               # both, as CI runs it
    python manage.py check_translations --templates   # the templates' literals only
    python manage.py check_translations --catalogues  # the catalogues only

A template's visible text is what is left once the template language is taken out: text between
HTML tags, and the attributes a reader or a screen reader meets (title, aria-label, placeholder,
alt, and the value of buttons). Text inside `{% translate %}` / `{% blocktranslate %}` is marked;
`{{ variables }}`, other tags and comments are not text. Plain-text templates (emails' subject.txt
and body.txt) are all visible text. A literal counts when it holds a letter; words that read the
same in every language (ALLOWED) do not count.

The catalogue of each translated language (`locale/<language>/LC_MESSAGES/django.po`, and the
`django.mo` compiled from it) must hold exactly the messages the source marks, all translated and
none fuzzy, pass `msgfmt --check`, and compile to the committed `.mo`
(`portal.core.translation_checks`).
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core import translation_checks

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
    backends: list[dict[str, Any]] = settings.TEMPLATES
    roots = [Path(root) for backend in backends for root in backend.get("DIRS", [])]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt"} and path.is_file()
    )


def template_problems(base: Path) -> list[str]:
    return [
        f"{path.relative_to(base) if path.is_relative_to(base) else path}:{line}: {text}"
        for path in template_files()
        for line, text in untranslated(path)
    ]


def catalogue_problems(base: Path) -> list[str]:
    return [
        problem.replace(f"{base}{os.sep}", "")
        for language in translation_checks.translated_languages()
        for problem in translation_checks.check_catalogue(
            language,
            root=base,
            path=translation_checks.catalogue_path(language),
            compiled=translation_checks.catalogue_path(language, ".mo"),
        )
    ]


class Command(BaseCommand):
    help = (
        "Fail when a template shows text not marked for translation, or when a catalogue is "
        "stale, incomplete, fuzzy, invalid or not compiled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--templates", action="store_true", help="Only the templates.")
        parser.add_argument("--catalogues", action="store_true", help="Only the catalogues.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="First gather the marked strings into each catalogue (translations kept) and "
            "compile it (`make messages`), then check.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        if options["update"]:
            for language in translation_checks.translated_languages():
                call_command(*translation_checks.makemessages_args(language), verbosity=0)
            ignored = [option.split("=", 1)[1] for option in translation_checks.MAKEMESSAGES_OPTIONS
                       if option.startswith("--ignore=")]  # fmt: skip
            call_command(
                "compilemessages",
                locale=translation_checks.translated_languages(),
                ignore_patterns=ignored,
                verbosity=0,
            )
        both = not options["templates"] and not options["catalogues"]
        failures = []
        if both or options["templates"]:
            if problems := template_problems(base):
                failures.append(
                    f"{len(problems)} untranslated literal(s) in templates; wrap them in "
                    "{% translate %} or {% blocktranslate %}:\n" + "\n".join(problems)
                )
            else:
                self.stdout.write(
                    f"{len(template_files())} templates, every visible literal marked."
                )
        if both or options["catalogues"]:
            if problems := catalogue_problems(base):
                failures.append(
                    f"{len(problems)} problem(s) with the catalogues:\n" + "\n".join(problems)
                )
            else:
                languages = ", ".join(translation_checks.translated_languages())
                self.stdout.write(
                    f"Catalogues ({languages}): up to date, complete, valid and compiled."
                )
        if failures:
            raise CommandError("\n\n".join(failures))
