"""`check_translations`, as CI runs it: each way a template or a catalogue can be wrong makes it
fail, and a catalogue that is up to date, complete, valid and compiled passes."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.core import translation_checks as checks
from portal.core.management.commands.check_translations import untranslated as unmarked
from portal.core.translation_checks import Entry

BASE = Path(settings.BASE_DIR)
HEADER = Entry(
    line=0,
    msgid="",
    strings={
        0: "Content-Type: text/plain; charset=UTF-8\n"
        "Language: ru\n"
        "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);\n"
    },
)
# GNU gettext is a tool of the checks: missing, these tests skip locally and fail in CI.
needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None and os.environ.get("PORTAL_REQUIRE_SERVICES") != "1",
    reason="gettext (msgfmt, xgettext) is not installed",
)


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_po(path: Path, *entries: Entry, header: Entry | None = HEADER) -> Path:
    """A .po file of these entries (a fuzzy one flagged, an obsolete one behind `#~`)."""
    blocks = []
    for entry in [header, *entries] if header else entries:
        mark = "#~ " if entry.obsolete else ""
        lines = ["#, fuzzy"] if entry.fuzzy else []
        if entry.context is not None:
            lines.append(f"{mark}msgctxt {_quoted(entry.context)}")
        lines.append(f"{mark}msgid {_quoted(entry.msgid or '')}")
        if entry.plural is not None:
            lines.append(f"{mark}msgid_plural {_quoted(entry.plural)}")
            lines += [f"{mark}msgstr[{n}] {_quoted(s)}" for n, s in sorted(entry.strings.items())]
        else:
            lines.append(f"{mark}msgstr {_quoted(entry.strings.get(0, ''))}")
        blocks.append("\n".join(lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def message(msgid: str, *strings: str, **kwargs: Any) -> Entry:
    return Entry(line=0, msgid=msgid, strings=dict(enumerate(strings)), **kwargs)


# Templates
def test_every_unmarked_literal_is_found_by_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "{% load i18n %}\n"
        '<h1>{% translate "Marked" %}</h1>\n'
        "<p>Not marked {{ name }}</p>\n"
        '<a href="/" title="Hover text">{% translate "Home" %}</a>\n'
        '<input type="submit" value="Send it"> <input name="q" value="typed">\n'
        "{% blocktranslate trimmed %}Marked {{ n }}\n too{% endblocktranslate %}\n"
        '<script>const s = "in a script";</script><p>API</p>\n'
        '{% comment %}A note{% endcomment %}<p aria-label="{% translate "Named" %}">42</p>\n',
        encoding="utf-8",
    )
    email = tmp_path / "body.txt"
    email.write_text('{% load i18n %}Hello {{ name }},\n{% translate "Marked" %}\n')
    assert unmarked(page) == [
        (3, "Not marked"),
        (4, 'a title="Hover text"'),
        (5, 'input value="Send it"'),
    ]
    assert unmarked(email) == [(1, "Hello")]


def test_the_command_names_each_template_literal_until_it_is_marked(
    tmp_path: Path, settings: Any
) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "app").mkdir()
    page = tmp_path / "app" / "page.html"
    page.write_text("{% load i18n %}\n<p>Not marked</p>\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("check_translations", "--templates")
    assert f"{page}:2: Not marked" in str(failed.value)

    page.write_text('{% load i18n %}\n<p>{% translate "Marked" %}</p>\n', encoding="utf-8")
    call_command("check_translations", "--templates")


# Reading a catalogue
def test_a_catalogue_is_read_entry_by_entry(tmp_path: Path) -> None:
    path = tmp_path / "django.po"
    path.write_text(
        """# A translator's note
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 ? 0 : 1);\\n"

#: templates/a.html
msgctxt "state"
msgid "Open"
msgstr "Открыт"

#: portal/core/b.py
#, fuzzy, python-format
#| msgid "%(name)s went"
msgid ""
"%(name)s left \\"the\\" "
"team"
msgstr "%(name)s ушёл"

msgid "%(count)d file"
msgid_plural "%(count)d files"
msgstr[0] "%(count)d файл"
msgstr[1] "%(count)d файла"
msgstr[2] "%(count)d файлов"

#~ msgid "Gone"
#~ msgstr "Нет"
""",
        encoding="utf-8",
    )
    header, state, left, files, gone = checks.read_catalogue(path)
    assert header.is_header and "nplurals=3" in header.strings[0]
    assert (state.key, state.strings, state.line) == (("state", "Open", None), {0: "Открыт"}, 8)
    assert left.msgid == '%(name)s left "the" team' and left.fuzzy and not left.obsolete
    assert files.key == (None, "%(count)d file", "%(count)d files") and len(files.strings) == 3
    assert gone.obsolete and gone.msgid == "Gone"


# A stale catalogue
def test_a_message_marked_in_the_source_but_missing_fails(tmp_path: Path) -> None:
    path = tmp_path / "django.po"
    fresh = [HEADER, message("Save", ""), message("Open", "", context="state")]
    committed = [HEADER, message("Save", "Сохранить")]
    [problem] = checks.stale(path, committed, fresh)
    assert "1 message(s) marked in the source are missing" in problem
    assert "'Open' (context 'state')" in problem
    assert checks.stale(path, [*committed, message("Open", "Открыт", context="state")], fresh) == []


def test_a_message_no_longer_marked_fails(tmp_path: Path) -> None:
    path = tmp_path / "django.po"
    fresh = [HEADER, message("Save", "")]
    for left in (message("Gone", "Нет"), message("Gone", "Нет", obsolete=True)):
        [problem] = checks.stale(path, [HEADER, message("Save", "Сохранить"), left], fresh)
        assert "1 message(s) no longer marked in the source are kept" in problem
        assert "'Gone'" in problem


@pytest.fixture(scope="module")
def fresh_po(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue `make messages` writes from this tree (run once for the module)."""
    if shutil.which("xgettext") is None and os.environ.get("PORTAL_REQUIRE_SERVICES") != "1":
        pytest.skip("gettext (xgettext) is not installed")
    path = tmp_path_factory.mktemp("fresh") / "django.po"
    locale = BASE / "locale"
    before = sorted((p, p.stat().st_mtime_ns) for p in locale.rglob("*"))
    checks.write_fresh_catalogue(BASE, "ru", path)
    assert sorted((p, p.stat().st_mtime_ns) for p in locale.rglob("*")) == before
    return path


@needs_gettext
def test_makemessages_in_a_copy_sees_what_the_source_marks(fresh_po: Path, tmp_path: Path) -> None:
    ours = checks.read_catalogue(fresh_po)
    assert {e.msgid for e in ours} >= {"Your browser's language", "Language", "Save language"}
    tree = tmp_path / "tree"
    checks._copy_sources(BASE, tree)
    (tree / "templates" / "zz_new.html").write_text(
        '{% load i18n %}{% translate "A message only this test marks" %}', encoding="utf-8"
    )
    with_new = checks.fresh_catalogue(tree, "ru")
    [missing] = checks.stale(fresh_po, ours, with_new)
    assert "'A message only this test marks'" in missing and "1 message(s)" in missing
    [obsolete] = checks.stale(fresh_po, with_new, ours)
    assert "no longer marked" in obsolete


# An incomplete catalogue
def test_an_empty_a_fuzzy_or_a_short_plural_translation_fails(tmp_path: Path) -> None:
    path = tmp_path / "django.po"
    entries = [
        HEADER,
        message("Save", "Сохранить"),
        message("Open", ""),
        message("Close", "Закрыть", fuzzy=True),
        message("%(n)d file", "%(n)d файл", "%(n)d файла", "", plural="%(n)d files"),
        message("%(n)d day", "%(n)d день", "%(n)d дня", plural="%(n)d days"),
        message("%(n)d hour", "%(n)d час", "%(n)d часа", "%(n)d часов", plural="%(n)d hours"),
        message("Gone", "", obsolete=True),  # stale, not untranslated
    ]
    problems = checks.untranslated(path, checks.read_catalogue(write_po(path, *entries[1:])))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "no translation of 'Open'",
        "fuzzy, check the translation of 'Close'",
        "no translation of '%(n)d file'",
        "no translation of '%(n)d day'",
    ]
    fuzzy_header = Entry(line=0, msgid="", strings=HEADER.strings, fuzzy=True)
    write_po(path, message("Save", "Сохранить"), header=fuzzy_header)
    [problem] = checks.untranslated(path, checks.read_catalogue(path))
    assert "header is missing, fuzzy or names no Plural-Forms" in problem


# An invalid catalogue
@needs_gettext
def test_msgfmt_check_refuses_a_broken_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "django.po"
    left = message("%(name)s left", "%(nom)s ушёл")
    text = write_po(path, left).read_text(encoding="utf-8")
    path.write_text(text.replace('msgid "%(name)s', '#, python-format\nmsgid "%(name)s'))
    [problem] = checks.msgfmt_check(path)
    assert "msgfmt --check fails" in problem and "'name'" in problem
    path.write_text(path.read_text(encoding="utf-8").replace("%(nom)s", "%(name)s"))
    assert checks.msgfmt_check(path) == []


# A catalogue not compiled
@needs_gettext
def test_the_committed_mo_must_be_what_the_po_compiles_to(tmp_path: Path) -> None:
    path = write_po(tmp_path / "django.po", message("Save", "Сохранить"))
    compiled = tmp_path / "django.mo"
    assert "missing" in checks.compiled_differs(path, compiled)[0]
    subprocess.run(["msgfmt", "-o", str(compiled), str(path)], check=True)  # noqa: S603,S607
    assert checks.compiled_messages(compiled)[b"Save"] == "Сохранить".encode()
    assert checks.compiled_differs(path, compiled) == []
    write_po(path, message("Save", "Сохранить"), message("Open", "Открыть"))
    [problem] = checks.compiled_differs(path, compiled)
    assert "is not what django.po compiles to" in problem


# The whole check
def _translated(entry: Entry) -> Entry:
    if entry.plural is None:
        return message(entry.msgid or "", entry.msgid or "", context=entry.context)
    return message(
        entry.msgid or "", entry.msgid or "", entry.plural, entry.plural, plural=entry.plural,
        context=entry.context,
    )  # fmt: skip


@needs_gettext
def test_a_complete_compiled_catalogue_passes_and_each_fault_fails(
    fresh_po: Path, tmp_path: Path, settings: Any
) -> None:
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    path, compiled = checks.catalogue_path("ru"), checks.catalogue_path("ru", ".mo")
    entries = [_translated(e) for e in checks.read_catalogue(fresh_po) if not e.is_header]
    write_po(path, *entries)
    subprocess.run(["msgfmt", "-o", str(compiled), str(path)], check=True)  # noqa: S603,S607
    call_command("check_translations", "--catalogues")

    write_po(path, *entries[1:])  # one message dropped; the .mo still has it
    with pytest.raises(CommandError) as failed:
        call_command("check_translations", "--catalogues")
    report = str(failed.value)
    assert "1 message(s) marked in the source are missing" in report
    assert "is not what django.po compiles to" in report


def test_a_missing_catalogue_fails(tmp_path: Path, settings: Any) -> None:
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    with pytest.raises(CommandError) as failed:
        call_command("check_translations", "--catalogues")
    assert "ru/LC_MESSAGES/django.po: missing" in str(failed.value)


def test_make_messages_runs_the_makemessages_command_that_is_checked() -> None:
    """`make messages` is `check_translations --update`, which runs the very makemessages
    arguments the stale check compares with (`translation_checks.makemessages_args`)."""
    makefile = (BASE / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = makefile.split("\nmessages:", 1)[1].split("\n\n", 1)[0]
    commands = [shlex.split(line) for line in recipe.splitlines()[1:]]
    assert [command[1:] for command in commands] == [
        ["manage.py", "check_translations", "--update"]
    ]
    assert checks.translated_languages() == ["ru"]
