"""Every audited write goes through `portal.core.transitions`: `perform` for a django-fsm
transition, `record_change` (and `record_creation`, which calls it) for any other write. Only
those two functions call `portal.core.audit.record_transition`; the apps never name it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITER = "record_transition"
# Where the name may appear: its own module, and the two functions of the one write path.
ALLOWED = {
    ("portal/core/audit.py", None),
    ("portal/core/transitions.py", "perform"),
    ("portal/core/transitions.py", "record_change"),
}
SKIPPED = {"tests", "node_modules", "static", "templates", "locale"}


def _uses(tree: ast.AST) -> list[tuple[int, str | None, bool]]:
    """(line, enclosing top-level function or None, is an import) of every mention of WRITER."""
    found: list[tuple[int, str | None, bool]] = []

    def walk(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if function is None and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.ImportFrom | ast.Import):
                if any(alias.name.split(".")[-1] == WRITER for alias in child.names):
                    found.append((child.lineno, inner, True))
            elif (isinstance(child, ast.Name) and child.id == WRITER) or (
                isinstance(child, ast.Attribute) and child.attr == WRITER
            ):
                found.append((child.lineno, inner, False))
            walk(child, inner)

    walk(tree, None)
    return found


def _refused(relative: str, source: str) -> list[str]:
    """Where this module names WRITER outside the one write path."""
    refused = []
    for line, function, is_import in _uses(ast.parse(source)):
        if (relative, None) in ALLOWED:
            continue
        if is_import and relative == "portal/core/transitions.py":
            continue
        if (relative, function) not in ALLOWED:
            refused.append(f"{relative}:{line} ({function or 'module level'})")
    return refused


def _modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part in SKIPPED for part in path.relative_to(ROOT).parts)
    ]


def test_only_perform_and_record_change_write_audit_rows() -> None:
    modules = _modules()
    assert any(path.relative_to(ROOT).as_posix() == "identity/services.py" for path in modules)
    refused = [
        where
        for path in modules
        for where in _refused(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert refused == [], "Write through portal.core.transitions.record_change: " + ", ".join(
        refused
    )


def test_the_check_sees_an_import_a_call_and_a_module_attribute() -> None:
    source = (
        "from portal.core.audit import record_transition\n"
        "from portal.core import audit\n"
        "def edit(obj):\n"
        "    record_transition(obj)\n"
        "    audit.record_transition(obj)\n"
    )
    assert _refused("gateway/services.py", source) == [
        "gateway/services.py:1 (module level)",
        "gateway/services.py:4 (edit)",
        "gateway/services.py:5 (edit)",
    ]
    assert _refused("portal/core/transitions.py", source) == [
        "portal/core/transitions.py:4 (edit)",
        "portal/core/transitions.py:5 (edit)",
    ]
    inside = "def record_change(obj):\n    record_transition(obj)\n"
    assert _refused("portal/core/transitions.py", inside) == []
