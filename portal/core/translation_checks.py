"""The catalogue checks of `manage.py check_translations`.

Each language the portal is translated into has one committed catalogue,
`locale/<language>/LC_MESSAGES/django.po`, and its compiled `django.mo` beside it (committed too,
so a machine without gettext serves the translations). `make messages` rewrites both. A
catalogue passes when

- it holds exactly the messages the source marks: the makemessages command of `make messages`,
  run in a temporary copy of the tree, finds no message it lacks and it keeps none the source
  no longer has;
- every message is translated (each plural form) and none is fuzzy;
- `msgfmt --check` accepts it;
- the committed `.mo` holds what the `.po` compiles to.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import translation

# The makemessages options of `make messages` (the Makefile; a test holds the two equal).
MAKEMESSAGES_OPTIONS = (
    "--no-obsolete",
    "--add-location=file",
    "--ignore=.venv",
    "--ignore=.ci",
    "--ignore=tests",
    "--ignore=sdk",
    "--ignore=bench",
    "--ignore=staticfiles",
    "--ignore=artifacts",
    "--ignore=node_modules",
)
# What makemessages reads (its default extensions for the "django" domain).
SOURCE_SUFFIXES = frozenset({".py", ".html", ".txt"})
SHOWN = 20  # messages named per problem; the rest are counted

Key = tuple[str | None, str, str | None]  # context, msgid, plural msgid


def translated_languages() -> list[str]:
    """Every language of the portal but the source language, in which the source is written."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def makemessages_args(language: str) -> list[str]:
    return ["makemessages", "-l", language, *MAKEMESSAGES_OPTIONS]


def catalogue_path(language: str, suffix: str = ".po") -> Path:
    directory = Path(settings.LOCALE_PATHS[0]) / translation.to_locale(language) / "LC_MESSAGES"
    return directory / f"django{suffix}"


@dataclass
class Entry:
    """One message of a .po file, its strings unescaped."""

    line: int
    context: str | None = None
    msgid: str | None = None
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> Key:
        return self.context, self.msgid or "", self.plural

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.context is None

    def __str__(self) -> str:
        context = f" (context {self.context!r})" if self.context is not None else ""
        return f"{self.msgid!r}{context}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_catalogue(path: Path) -> list[Entry]:
    """The entries of a .po file, the header and obsolete (`#~`) ones included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    part: tuple[str, int] | None = None  # the keyword a continuation line extends
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line, obsolete = raw.strip(), False
        if line.startswith("#~"):
            line, obsolete = line[2:].strip(), True
            if line.startswith("|"):
                continue  # the previous msgid of a fuzzy entry
        elif line.startswith("#"):
            if line.startswith("#,"):
                if entry is None or entry.strings:
                    entry = Entry(line=number)
                    entries.append(entry)
                entry.fuzzy = entry.fuzzy or "fuzzy" in line[2:].replace(",", " ").split()
            continue
        if not line:
            entry, part = (None if entry is not None and entry.strings else entry), None
            continue
        if match := _KEYWORD.match(line):
            keyword, index, text = match.group(1), match.group(2), _unescape(match.group(3))
            if entry is None or (keyword in {"msgctxt", "msgid"} and entry.strings):
                entry = Entry(line=number)
                entries.append(entry)
            entry.obsolete = entry.obsolete or obsolete
            part = (keyword.split("[")[0], int(index or 0))
            _extend(entry, part, text)
        elif (match := _CONTINUATION.match(line)) and entry is not None and part is not None:
            _extend(entry, part, _unescape(match.group(1)))
    return [entry for entry in entries if entry.msgid is not None]


def _extend(entry: Entry, part: tuple[str, int], text: str) -> None:
    keyword, index = part
    if keyword == "msgstr":
        entry.strings[index] = entry.strings.get(index, "") + text
    elif keyword == "msgctxt":
        entry.context = (entry.context or "") + text
    elif keyword == "msgid":
        entry.msgid = (entry.msgid or "") + text
    else:
        entry.plural = (entry.plural or "") + text


def _messages(entries: Iterable[Entry]) -> dict[Key, Entry]:
    return {entry.key: entry for entry in entries if not entry.obsolete and not entry.is_header}


def _listed(entries: Iterable[Entry]) -> str:
    named = sorted(entries, key=lambda e: e.line)
    shown = "".join(f"\n    {entry}" for entry in named[:SHOWN])
    more = f"\n    ... and {len(named) - SHOWN} more" if len(named) > SHOWN else ""
    return shown + more


def stale(path: Path, committed: list[Entry], fresh: list[Entry]) -> list[str]:
    """What the committed catalogue lacks of the source's messages, and what it keeps that
    the source no longer marks (obsolete `#~` entries too)."""
    have, want = _messages(committed), _messages(fresh)
    missing = [want[key] for key in want.keys() - have.keys()]
    obsolete = [have[key] for key in have.keys() - want.keys()]
    obsolete += [entry for entry in committed if entry.obsolete]
    problems = []
    if missing:
        problems.append(
            f"{path}: {len(missing)} message(s) marked in the source are missing; "
            f"run `make messages` and translate them:{_listed(missing)}"
        )
    if obsolete:
        problems.append(
            f"{path}: {len(obsolete)} message(s) no longer marked in the source are kept; "
            f"run `make messages`:{_listed(obsolete)}"
        )
    return problems


def _plural_forms(entries: Iterable[Entry]) -> int | None:
    header = next((entry for entry in entries if entry.is_header), None)
    found = re.search(r"nplurals\s*=\s*(\d+)", header.strings.get(0, "")) if header else None
    return int(found.group(1)) if found else None


def untranslated(path: Path, entries: list[Entry]) -> list[str]:
    """Every message without a translation (in any plural form) or marked fuzzy."""
    forms = _plural_forms(entries)
    header = next((entry for entry in entries if entry.is_header), None)
    problems = []
    if header is None or header.fuzzy or forms is None:
        # msgfmt ignores a fuzzy header: no charset, no plural forms.
        problems.append(f"{path}: the header is missing, fuzzy or names no Plural-Forms")
    for entry in _messages(entries).values():
        expected = (forms or 2) if entry.plural is not None else 1
        strings = [entry.strings.get(index, "") for index in range(expected)]
        if entry.fuzzy:
            problems.append(f"{path}:{entry.line}: fuzzy, check the translation of {entry}")
        elif not all(strings) or len(entry.strings) != expected:
            problems.append(f"{path}:{entry.line}: no translation of {entry}")
    return problems


def _msgfmt(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("msgfmt") is None:
        raise FileNotFoundError("msgfmt (GNU gettext) is not installed: apt-get install gettext")
    return subprocess.run(["msgfmt", *args], capture_output=True, text=True, check=False)  # noqa: S603,S607


def msgfmt_check(path: Path) -> list[str]:
    """What `msgfmt --check` (format strings, the header, the domain) finds wrong."""
    result = _msgfmt("--check", "-o", os.devnull, str(path))
    return [f"{path}: msgfmt --check fails:\n{result.stderr.strip()}"] if result.returncode else []


def compiled_messages(path: Path) -> dict[bytes, bytes]:
    """The messages of a compiled .mo file (GNU gettext's format), original to translation."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    _revision, count, originals, translations = struct.unpack(f"{order}4I", data[4:20])

    def string(table: int, index: int) -> bytes:
        length, offset = struct.unpack(
            f"{order}2I", data[table + 8 * index : table + 8 * index + 8]
        )
        return data[offset : offset + length]

    return {string(originals, n): string(translations, n) for n in range(count)}


def compiled_differs(path: Path, compiled: Path) -> list[str]:
    """Whether the committed .mo holds what the .po compiles to (as compilemessages does)."""
    if not compiled.exists():
        return [f"{compiled}: missing; run `make messages` and commit it"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        result = _msgfmt("--check-format", "-o", str(fresh), str(path))
        if result.returncode:
            return [f"{path}: does not compile:\n{result.stderr.strip()}"]
        if compiled_messages(fresh) != compiled_messages(compiled):
            return [f"{compiled}: is not what {path.name} compiles to; run `make messages`"]
    return []


def _copy_sources(root: Path, into: Path) -> None:
    """The files makemessages reads, without the directories `make messages` ignores."""
    skipped = {option.split("=", 1)[1] for option in MAKEMESSAGES_OPTIONS if "=" in option}
    skipped |= {"locale"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == root
        return {
            name
            for name in names
            if name.startswith(".")
            or name == "__pycache__"
            or (top and name in skipped)
            or ((Path(directory) / name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        }

    shutil.copytree(root, into, ignore=ignore, symlinks=True)


def write_fresh_catalogue(root: Path, language: str, into: Path) -> None:
    """Write to `into` the catalogue `make messages` would write from the source under root
    (new messages untranslated), running it in a temporary copy, so that nothing in the tree
    changes."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tree"
        _copy_sources(root, copy)
        # The copy's own settings, so that its LOCALE_PATHS is the copy's locale/.
        env = {
            name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
        }
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *makemessages_args(language), "--verbosity=0"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"makemessages failed:\n{result.stderr.strip()}")
        locale = translation.to_locale(language)
        shutil.copyfile(copy / "locale" / locale / "LC_MESSAGES" / "django.po", into)


def fresh_catalogue(root: Path, language: str) -> list[Entry]:
    """The entries `make messages` would write from the source under root."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "django.po"
        write_fresh_catalogue(root, language, path)
        return read_catalogue(path)


def check_catalogue(language: str, *, root: Path, path: Path, compiled: Path) -> list[str]:
    """Every problem of one language's committed catalogue (see the module's docstring)."""
    if not path.exists():
        return [f"{path}: missing; run `make messages`, translate it and commit it"]
    try:
        entries = read_catalogue(path)
        problems = stale(path, entries, fresh_catalogue(root, language))
        problems += untranslated(path, entries)
        problems += msgfmt_check(path)
        problems += compiled_differs(path, compiled)
    except (FileNotFoundError, RuntimeError) as exc:
        return [f"{path}: cannot be checked: {exc}"]
    return problems
