"""Fails when a template holds text a reader sees that is not marked for translation, and
(`--catalogue`) when the Russian catalogue is stale, incomplete or not compiled.

    python manage.py check_translations               # every template under templates/
    python manage.py check_translations --catalogue   # and locale/<lang>/LC_MESSAGES/django.po
    python manage.py check_translations --update      # `make messages`: regenerate, compile, check

A template's visible text is what is left once the template language is taken out: text between
HTML tags, and the attributes a reader or a screen reader meets (title, aria-label, placeholder,
alt, and the value of input buttons). Text inside `{% translate %}` / `{% blocktranslate %}` is marked;
`{{ variables }}`, other tags and comments are not text. Plain-text templates (emails' subject.txt
and body.txt) are all visible text. A literal counts when it holds a letter; words that read the
same in every language (ALLOWED) do not count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        # An input button shows its value; a <button> shows its content, its value is data.
        is_button = tag == "input" and dict(attrs).get("type") in {"submit", "button", "reset"}
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


# The one makemessages invocation: `make messages` runs it, the stale check compares with it.
MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "no_obsolete": True,
    "add_location": "file",
    "ignore_patterns": [
        ".venv",
        ".ci",
        "tests",
        "sdk",
        "bench",
        "staticfiles",
        "artifacts",
        "node_modules",
    ],
    "verbosity": 0,
}


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    """The text of one quoted .po line, escapes resolved."""
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match[1], match[1]), body)


def catalogue_entries(text: str) -> list[dict[str, Any]]:
    """The entries of a .po file: context, msgid, plural, the msgstr forms and the flags
    (obsolete `#~` entries left out)."""
    entries: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        entry: dict[str, Any] = {"msgctxt": None, "msgid": "", "plural": None, "msgstr": {},
                                 "flags": set()}  # fmt: skip
        field: tuple[str, Any] | None = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"') and field is not None:
                name, key = field
                if name == "msgstr":
                    entry["msgstr"][key] += _unquote(line)
                else:
                    entry[name] += _unquote(line)
            else:
                keyword = line.split(" ", 1)[0]
                if keyword.startswith("msgstr"):
                    index = int(keyword[7:-1]) if "[" in keyword else 0
                    entry["msgstr"][index] = _unquote(line)
                    field = ("msgstr", index)
                else:
                    name = {"msgid_plural": "plural"}.get(keyword, keyword)
                    entry[name] = _unquote(line)
                    field = (name, None)
        entries.append(entry)
    return entries


def _key(entry: dict[str, Any]) -> tuple[str | None, str]:
    return entry["msgctxt"], entry["msgid"]


def missing_translations(text: str) -> list[str]:
    """Messages with an empty or fuzzy translation (the header aside)."""
    return [
        entry["msgid"]
        for entry in catalogue_entries(text)
        if entry["msgid"]
        and ("fuzzy" in entry["flags"] or not all(entry["msgstr"].values()) or not entry["msgstr"])
    ]


def stale_messages(committed: str, fresh: str) -> tuple[list[str], list[str]]:
    """(marked in the code but missing from the committed catalogue, in the catalogue but no
    longer marked): the difference between the committed .po and a fresh makemessages run."""
    have = {_key(entry) for entry in catalogue_entries(committed) if entry["msgid"]}
    want = {_key(entry) for entry in catalogue_entries(fresh) if entry["msgid"]}
    return sorted(msgid for _, msgid in want - have), sorted(msgid for _, msgid in have - want)


def _msgfmt(po: Path, mo: Path) -> str:
    """msgfmt's complaints about the catalogue (placeholders, plural forms), or ""."""
    result = subprocess.run(  # noqa: S603
        [shutil.which("msgfmt") or "msgfmt", "--check", "-o", str(mo), str(po)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stderr.strip() if result.returncode else ""


def catalogue_problems(locale_dir: Path, languages: list[str]) -> list[str]:
    """What is wrong with each language's catalogue under locale_dir, stale check aside."""
    problems = []
    for language in languages:
        po = locale_dir / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not po.exists():
            problems.append(f"{po}: missing")
            continue
        problems += [
            f"{po}: no translation (or fuzzy): {msgid!r}"
            for msgid in missing_translations(po.read_text(encoding="utf-8"))
        ]
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "django.mo"
            if complaint := _msgfmt(po, fresh):
                problems.append(f"{po}: msgfmt --check: {complaint}")
            elif not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                problems.append(f"{mo}: not compiled from the .po (run `make messages`)")
    return problems


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def stale_problems(locale_dir: Path, languages: list[str]) -> list[str]:
    """Runs makemessages over the code (in place, the committed files put back afterwards) and
    names what the committed catalogue lacks or keeps beyond it."""
    problems = []
    for language in languages:
        po = locale_dir / language / "LC_MESSAGES" / "django.po"
        committed = po.read_text(encoding="utf-8") if po.exists() else ""
        try:
            call_command("makemessages", locale=[language], **MAKEMESSAGES_OPTIONS)
            fresh = po.read_text(encoding="utf-8")
        finally:
            po.write_text(committed, encoding="utf-8")
        new, obsolete = stale_messages(committed, fresh)
        problems += [f"{po}: marked in the code, not in the catalogue: {m!r}" for m in new]
        problems += [f"{po}: in the catalogue, no longer marked: {m!r}" for m in obsolete]
    return problems


class Command(BaseCommand):
    help = "Fail when a template shows text not marked for translation, or (--catalogue) when a "
    help += "catalogue is stale, incomplete or not compiled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--catalogue", action="store_true", help="Check the .po and .mo files as well."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="First gather the marked strings into the .po files (translations kept) and "
            "compile them (`make messages`); then check as --catalogue.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["update"]:
            languages = translated_languages()
            call_command("makemessages", locale=languages, **MAKEMESSAGES_OPTIONS)
            ignore = MAKEMESSAGES_OPTIONS["ignore_patterns"]
            call_command("compilemessages", locale=languages, ignore_patterns=ignore, verbosity=0)
            options["catalogue"] = True
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
        if not options["catalogue"]:
            return
        locale_dir, languages = Path(settings.LOCALE_PATHS[0]), translated_languages()
        problems = stale_problems(locale_dir, languages) + catalogue_problems(locale_dir, languages)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in the catalogues (`make messages` regenerates "
                "them; then translate what is new):\n" + "\n".join(problems)
            )
        self.stdout.write(f"Catalogues of {', '.join(languages)}: current, complete, compiled.")
