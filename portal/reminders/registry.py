"""What waits, as each app declares it in `<app>/reminders.py`.

The core knows no app: at startup it imports every installed app's `reminders` module, as the
admin imports `admin.py`, and each module registers its `Waiting` declarations and its sweep
chores here. A declaration is a queryset of objects waiting past their SLA plus a few column
expressions (since when, who must act); the sweep turns all of them into one set-based query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import ngettext

from portal.core import roles

OVERDUE = "overdue"  # repeats every interval and escalates along the escalation path
NOTICE = "notice"  # sent once per wait, never escalated

_reasons: dict[str, Waiting] = {}
_chores: dict[str, Chore] = {}


class Waiting:
    """One reason an object waits for someone. Subclass, fill in, decorate with `@register`."""

    code: ClassVar[str] = ""  # stored on every reminder row: never rename one
    model: ClassVar[type[models.Model]]
    what: ClassVar[str] = ""  # what the object waits for: "architecture review"
    action: ClassVar[str] = ""  # the call to action in the email: "Review the intake"
    kind: ClassVar[str] = OVERDUE
    # Reminded when the row names nobody (e.g. any platform reviewer may start a review).
    role: ClassVar[str] = roles.PLATFORM_REVIEWER
    select_related: ClassVar[tuple[str, ...]] = ()  # what the email reads beyond the object
    template: ClassVar[str] = "reminder"
    escalation_template: ClassVar[str] = "reminder_escalation"

    def waiting(self, now: dt.datetime) -> models.QuerySet[Any]:
        """The objects waiting past their SLA at `now` (filters only: no ordering, no values)."""
        raise NotImplementedError

    def columns(self) -> dict[str, Any]:
        """Expressions over the model: `since` (required), `to` and `not_to` (`people(...)`),
        `tag` (a short text the interval may depend on, e.g. the severity)."""
        raise NotImplementedError

    def sla(self, obj: Any) -> dt.timedelta | None:
        """How long the object may wait before the first reminder (for the email)."""
        return None

    def repeat_after(self, tag: str) -> dt.timedelta | None:
        """When the next round is due after one is claimed; None: never again in this wait."""
        if self.kind == NOTICE:
            return None
        return hours(setting("REMINDER_INTERVAL_HOURS"))

    def escalation_paths(self, ids: list[int]) -> dict[int, list[int]]:
        """User ids of each object's escalation path, level 1 first."""
        return {}

    def actors(self, obj: Any) -> str:
        """Who must act, in words, for escalation emails."""
        return ""

    def context(self, obj: Any, now: dt.datetime) -> dict[str, Any]:
        """Extra template context."""
        return {}

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}: {self.what}".capitalize()


def register(cls: type[Waiting]) -> type[Waiting]:
    """Class decorator: make the sweep look for this reason."""
    if not cls.code or len(cls.code) > 40:
        raise ValueError(f"{cls.__name__} needs a reason code of at most 40 characters.")
    existing = _reasons.get(cls.code)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"Reason code {cls.code!r} is declared twice.")
    _reasons[cls.code] = cls()
    return cls


@dataclass(frozen=True)
class Chore:
    """Work the sweep does besides reminding, e.g. expiring exceptions past their date."""

    run: Callable[[dt.datetime], int]  # now -> how many objects it handled
    # The objects it would handle at `now`. The sweep asks this inside its claim query and runs
    # the chore only when it finds some, so an idle sweep costs no query per chore.
    due: Callable[[dt.datetime], models.QuerySet[Any]] | None = None


def chore(
    name: str, *, due: Callable[[dt.datetime], models.QuerySet[Any]] | None = None
) -> Callable[[Callable[[dt.datetime], int]], Callable[[dt.datetime], int]]:
    """Decorator: run this function (now -> count) in every sweep that finds work for it."""

    def decorate(fn: Callable[[dt.datetime], int]) -> Callable[[dt.datetime], int]:
        _chores[name] = Chore(run=fn, due=due)
        return fn

    return decorate


def reasons() -> list[Waiting]:
    return [_reasons[code] for code in sorted(_reasons)]


def get(code: str) -> Waiting | None:
    return _reasons.get(code)


def chores() -> dict[str, Chore]:
    return dict(_chores)


def label(code: str) -> str:
    reason = _reasons.get(code)
    return reason.label if reason is not None else code.replace("_", " ")


def choices() -> list[tuple[str, str]]:
    return [(reason.code, reason.label) for reason in reasons()]


def autodiscover() -> None:
    autodiscover_modules("reminders")


class _Joined(models.Func):
    # A flat `a || ',' || b`: nested CONCAT pairs overflow SQLite's parser for a dozen owners.
    template = "(%(expressions)s)"
    arg_joiner = " || ',' || "
    output_field = models.TextField()


def people(*paths: str) -> Any:
    """A comma-separated list of the user ids at these foreign-key paths; empty ones drop out."""
    text: Any = models.TextField()
    parts = [
        Coalesce(Cast(F(path), output_field=text), Value(""), output_field=text) for path in paths
    ]
    return parts[0] if len(parts) == 1 else _Joined(*parts)


def parse_people(text: str | None) -> list[int]:
    return [int(item) for item in (text or "").split(",") if item]


def setting(name: str) -> Any:
    """One of the PORTAL settings (SLAs, intervals), read at call time so tests may change it."""
    return settings.PORTAL[name]


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def describe(delta: dt.timedelta) -> str:
    """A whole-unit duration for SLA sentences: "48 hours", "15 minutes", "5 days"."""
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes >= size and minutes % size == 0 and not (unit == "day" and minutes < 3 * 1440):
            return _count(unit, minutes // size)
    return _count("minute", minutes)


def _count(unit: str, count: int) -> str:
    if unit == "day":
        text = ngettext("%(count)d day", "%(count)d days", count)
    elif unit == "hour":
        text = ngettext("%(count)d hour", "%(count)d hours", count)
    else:
        text = ngettext("%(count)d minute", "%(count)d minutes", count)
    return text % {"count": count}


def unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))
