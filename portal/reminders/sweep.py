"""The reminder sweep: claim what is due, run the chores, then deliver what is claimed.

Claiming is set-based. Every declared reason becomes one branch of a single UNION ALL query;
each branch reads its objects past SLA in primary-key order (keyset pagination, one batch per
branch per query) and, with correlated index probes, the last reminder round of each object.
The rows become Reminder rows inserted with ON CONFLICT DO NOTHING on the unique key, so a
repeated tick, two beats or two concurrent sweeps insert each reminder once. Nothing is sent
before its row is committed; delivery (see `delivery`) then leases pending rows and sends them.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from portal.core.selectors import people_with_role
from portal.reminders import delivery, registry
from portal.reminders.models import Reminder

logger = logging.getLogger(__name__)

COLUMNS = ("rm_reason", "rm_obj", "rm_at", "rm_tag", "rm_to", "rm_not", "rm_seq", "rm_round")
# Extra branches of the claim query that return one row when there is work besides reminding:
# reminders earlier sweeps left unsent, and each chore's objects. An idle sweep learns that
# from the same query instead of asking each in turn.
PENDING_PROBE = "~pending"
CHORE_PROBE = "~chore:"
# What the claim plans per due object: its round, and who gets it (user ids, comma-separated;
# one Reminder row each). The other columns are the same for one reason in a sweep.
ROW = ("object_id", "recipients", "sequence", "round", "level", "since", "due_again_at")
INSERT_CHUNK = 10_000


def batch_size() -> int:
    return int(registry.setting("REMINDER_BATCH_SIZE"))


def reminders_before_escalation() -> int:
    return int(registry.setting("REMINDERS_BEFORE_ESCALATION"))


@dataclass
class Claim:
    due: int = 0  # objects found waiting with a round due
    claimed: Counter[str] = field(default_factory=Counter)  # rows this sweep inserted, by reason
    undelivered: bool = False  # pending rows older sweeps left behind
    chores_due: set[str] = field(default_factory=set)


@dataclass
class SweepResult:
    now: dt.datetime
    chores: dict[str, int]
    claim: Claim
    delivered: delivery.Delivery | None

    def as_dict(self) -> dict[str, Any]:
        """JSON for the task result and the management command."""
        sent = self.delivered.sent if self.delivered else []
        return {
            "chores": self.chores,
            "due": self.claim.due,
            "claimed": sum(self.claim.claimed.values()),
            "claimed_by_reason": dict(sorted(self.claim.claimed.items())),
            "sent": len(sent),
            "failed": self.delivered.failed if self.delivered else 0,
            "retrying": self.delivered.retrying if self.delivered else 0,
            "cancelled": self.delivered.cancelled if self.delivered else 0,
        }


def run(
    now: dt.datetime | None = None, *, deliver: bool = True, deadline: float | None = None
) -> SweepResult:
    """One sweep: claim, chores (exception expiry), deliver. Safe to run twice at once.

    Chores run after the claim: what they end (an exception past its date) is outside every
    reason's window already, so the order changes nothing and the claim query can probe them."""
    now = now or timezone.now()
    claimed = claim(now)
    chores = {
        name: chore.run(now) if chore.due is None or name in claimed.chores_due else 0
        for name, chore in registry.chores().items()
    }
    delivered = None
    if deliver and (claimed.claimed or claimed.undelivered):
        delivered = delivery.deliver(now, deadline=deadline)
    return SweepResult(now=now, chores=chores, claim=claimed, delivered=delivered)


def claim(now: dt.datetime) -> Claim:
    """Insert a pending Reminder row for every reminder due at `now`; returns what it found."""
    result = Claim()
    sweep_id = uuid.uuid4()
    people = _People()
    cursors = {reason.code: 0 for reason in registry.reasons()}
    probes = _probes(now)
    _without_jit()
    while cursors or probes:
        branches = [_branch(registry.get(code), now, after) for code, after in cursors.items()]
        by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in _fetch(branches + probes):
            by_code[row["rm_reason"]].append(row)
        if probes:
            found = {code for code in by_code if code.startswith("~")}
            result.undelivered = PENDING_PROBE in found
            result.chores_due = {code.removeprefix(CHORE_PROBE) for code in found - {PENDING_PROBE}}
            for code in found:
                del by_code[code]
            probes = []
        for code in list(cursors):
            rows = by_code.get(code, [])
            if len(rows) < batch_size():
                del cursors[code]
            else:
                cursors[code] = max(row["rm_obj"] for row in rows)
        result.due += sum(len(rows) for rows in by_code.values())
        for code, planned in _plan(by_code, now, people).items():
            result.claimed[code] += _insert(code, planned, now, sweep_id)
    if result.due and connection.vendor != "postgresql":
        # bulk_create with ignore_conflicts does not say which rows it inserted.
        inserted = (
            Reminder.objects.filter(sweep=sweep_id)
            .values_list("reason")
            .annotate(n=Count("id"))
            .order_by()
        )
        result.claimed = Counter(dict(inserted))
    return result


def _without_jit() -> None:
    # The claim query is many small index probes. PostgreSQL's planner prices it high enough to
    # JIT-compile it, which takes seconds, far longer than running it. Switched off for the
    # sweep's connection (sweeps run in the worker), not in a transaction: that would cost a
    # BEGIN and a COMMIT per batch.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


def _fetch(branches: list[models.QuerySet[Any]]) -> list[dict[str, Any]]:
    # SQLite cannot LIMIT inside a UNION branch; there each branch is its own query.
    if connection.features.supports_slicing_ordering_in_compound and len(branches) > 1:
        return list(branches[0].union(*branches[1:], all=True))
    return [row for branch in branches for row in branch]


def _insert(
    code: str, planned: list[tuple[Any, ...]], now: dt.datetime, sweep_id: uuid.UUID
) -> int:
    """Insert the claimed rows of one reason; a row another sweep inserted first is skipped
    (that is the claim). Returns how many it inserted (on PostgreSQL; elsewhere, 0)."""
    reason = registry.get(code)
    assert reason is not None
    fixed: dict[str, Any] = {
        "content_type_id": ContentType.objects.get_for_model(reason.model).pk,
        "reason": code,
        "status": Reminder.Status.PENDING,
        "attempts": 0,
        "last_error": "",
        "next_attempt_at": now,
        "sweep": sweep_id,
        "created_at": now,
    }
    if connection.vendor != "postgresql":
        objects = []
        for row in planned:
            values = dict(zip(ROW, row, strict=True))
            for uid in registry.parse_people(values.pop("recipients")):
                objects.append(Reminder(**values, recipient_id=uid, **fixed))
        Reminder.objects.bulk_create(objects, ignore_conflicts=True, batch_size=500)
        return 0
    return _insert_unnest(planned, fixed)


def _insert_unnest(planned: list[tuple[Any, ...]], fixed: dict[str, Any]) -> int:
    """One INSERT ... SELECT FROM unnest(arrays) per chunk, one array element per due object,
    arrays bound in binary; PostgreSQL fans each object out to its recipients. The ORM's
    bulk_create, and even text-quoted arrays, spend longer in Python preparing 100,000 rows
    than PostgreSQL spends inserting them."""
    meta = Reminder._meta
    quote = connection.ops.quote_name

    def column(name: str) -> tuple[str, str]:
        if name in ("recipients", "since"):
            return quote("recipient_id" if name == "recipients" else name), "text"
        field = cast("models.Field[Any, Any]", meta.get_field(name))
        return quote(str(field.column)), str(field.db_type(connection))

    per_object = [column(name) for name in ROW]
    constant = [column(name) for name in fixed]
    names = ", ".join(name for name, _ in (*per_object, *constant))
    arrays = ", ".join(f"%b::{kind}[]" for _, kind in per_object)
    # Constants get a cast too: bound in binary, a Python int would otherwise arrive as the
    # smallest integer type that holds it, and a str as an unknown type.
    values = ", ".join(f"%b::{kind}" for _, kind in constant)
    cast_back = {"recipients": "person::bigint", "since": "o.since::timestamptz"}
    picked = ", ".join(cast_back.get(name, f"o.{name}") for name in ROW)
    # Only the model's own table and column names are interpolated; values are parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608
        f"SELECT {picked}, {values} FROM unnest({arrays}) AS o({', '.join(ROW)}) "
        "CROSS JOIN LATERAL unnest(string_to_array(o.recipients, ',')) AS person "
        "ON CONFLICT DO NOTHING"
    )
    inserted = 0
    with _binding_cursor() as cursor:
        for start in range(0, len(planned), INSERT_CHUNK):
            chunk = zip(*planned[start : start + INSERT_CHUNK], strict=True)
            cursor.execute(sql, [*fixed.values(), *(list(array) for array in chunk)])
            inserted += cursor.rowcount
    return inserted


@contextmanager
def _binding_cursor() -> Iterator[Any]:
    """A cursor that sends parameters separately from the SQL (server-side binding), wrapped
    like Django's own so the query is logged and counted like any other."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    cursor = wrap(raw)  # type: ignore[arg-type]
    try:
        yield cursor
    finally:
        cursor.close()


def _probes(now: dt.datetime) -> list[models.QuerySet[Any]]:
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
    probes = [_probe(pending, PENDING_PROBE)]
    for name, chore in registry.chores().items():
        if chore.due is not None:
            probes.append(_probe(chore.due(now), f"{CHORE_PROBE}{name}"))
    return probes


def _branch(reason: registry.Waiting | None, now: dt.datetime, after: int) -> Any:
    assert reason is not None
    columns = reason.columns()
    content_type = ContentType.objects.get_for_model(reason.model)
    history = Reminder.objects.filter(
        content_type_id=content_type.pk, object_id=OuterRef("pk"), reason=reason.code
    ).order_by("-sequence")
    # The current wait: a resubmitted scenario starts a new one, with its own rounds.
    wait = history.filter(since=OuterRef("rm_since"))
    text: Any = models.TextField()
    queryset = (
        reason.waiting(now)
        .annotate(rm_since=columns["since"])
        .alias(rm_again=Subquery(wait.values("due_again_at")[:1]))
        .annotate(rm_round=Subquery(wait.values("round")[:1]))
        .filter(Q(rm_round__isnull=True) | Q(rm_again__lte=now))
    )
    if after:
        queryset = queryset.filter(pk__gt=after)
    return (
        queryset.annotate(
            rm_reason=Value(reason.code, output_field=text),
            rm_obj=F("pk"),
            rm_at=_passed_through(F("rm_since")),
            rm_tag=columns.get("tag", Value("", output_field=text)),
            rm_to=columns.get("to", Value("", output_field=text)),
            rm_not=columns.get("not_to", Value("", output_field=text)),
            rm_seq=Subquery(history.values("sequence")[:1]),
        )
        .order_by("pk")
        .values(*COLUMNS)[: batch_size()]
    )


def _passed_through(since: Any) -> Any:
    """When the wait started, as the claim query returns it. On PostgreSQL it goes back into
    the insert as text: Django's time-zone-aware timestamp loader parses in Python, and for
    100,000 rows that parsing costs more than the query."""
    if connection.vendor == "postgresql":
        return Cast(since, output_field=models.TextField())
    return since


def _probe(queryset: models.QuerySet[Any], label: str) -> Any:
    text: Any = models.TextField()
    number: Any = models.IntegerField()
    return (
        queryset.annotate(
            rm_reason=Value(label, output_field=text),
            rm_obj=F("pk"),
            rm_at=Value(None, output_field=text),
            rm_tag=Value("", output_field=text),
            rm_to=Value("", output_field=text),
            rm_not=Value("", output_field=text),
            rm_seq=Value(None, output_field=number),
            rm_round=Value(None, output_field=number),
        )
        .order_by("pk")
        .values(*COLUMNS)[:1]
    )


class _People:
    """Active people with an email address, looked up once per sweep and per batch."""

    def __init__(self) -> None:
        self.active: dict[int, bool] = {}
        self.roles: dict[str, list[int]] = {}
        self.queries = 0

    def load(self, ids: set[int]) -> None:
        unknown = ids - self.active.keys()
        if not unknown:
            return
        found = set(
            get_user_model()
            .objects.filter(pk__in=unknown, is_active=True)
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        self.queries += 1
        self.active.update({uid: uid in found for uid in unknown})

    def role(self, name: str) -> list[int]:
        if name not in self.roles:
            members = (
                people_with_role(name).exclude(email="").order_by("pk").values_list("pk", flat=True)
            )
            self.roles[name] = list(members)
            self.queries += 1
            self.active.update(dict.fromkeys(self.roles[name], True))
        return self.roles[name]


def _plan(
    by_code: dict[str, list[dict[str, Any]]], now: dt.datetime, people: _People
) -> dict[str, list[tuple[Any, ...]]]:
    """The reminder rows (see ROW) for one batch of due objects: who gets which round."""
    threshold = reminders_before_escalation()
    paths: dict[str, dict[int, list[int]]] = {}
    named: set[int] = set()
    for code, rows in by_code.items():
        reason = registry.get(code)
        assert reason is not None
        escalating = [
            row["rm_obj"]
            for row in rows
            if reason.kind == registry.OVERDUE and (row["rm_round"] or 0) >= threshold
        ]
        paths[code] = reason.escalation_paths(escalating) if escalating else {}
        for path in paths[code].values():
            named.update(path)
        for text in {row["rm_to"] for row in rows}:
            named.update(registry.parse_people(text))
    people.load(named)
    planned: dict[str, list[tuple[Any, ...]]] = {}
    for code, rows in by_code.items():
        reason = registry.get(code)
        assert reason is not None
        planned[code] = _rounds(reason, rows, paths[code], people, now)
    return planned


def _rounds(
    reason: registry.Waiting,
    rows: list[dict[str, Any]],
    paths: dict[int, list[int]],
    people: _People,
    now: dt.datetime,
) -> list[tuple[Any, ...]]:
    """Rounds 1..N go to the people who must act; then each escalation level once, in order;
    after the last level, back to the people who must act (the work still waits)."""
    threshold = reminders_before_escalation()
    escalates = reason.kind == registry.OVERDUE
    # Rows share their named people and exclusions (every scenario review asks the same
    # platform reviewers), so each combination is resolved once per batch.
    primary: dict[tuple[str, str], str] = {}
    again: dict[str, dt.datetime | None] = {}
    planned: list[tuple[Any, ...]] = []
    for row in rows:
        number = (row["rm_round"] or 0) + 1
        level, recipients = 0, ""
        if escalates and number > threshold:
            path = [uid for uid in paths.get(row["rm_obj"], []) if people.active.get(uid)]
            if number - threshold <= len(path):
                level, recipients = number - threshold, str(path[number - threshold - 1])
        if not level:
            key = (row["rm_to"], row["rm_not"])
            if key not in primary:
                primary[key] = ",".join(map(str, _primary(reason, *key, people)))
            recipients = primary[key]
        if not recipients:
            logger.warning("Nobody to remind about %s #%s.", reason.code, row["rm_obj"])
            continue
        if row["rm_tag"] not in again:
            after = reason.repeat_after(row["rm_tag"])
            again[row["rm_tag"]] = now + after if after is not None else None
        sequence = (row["rm_seq"] or 0) + 1
        since = row["rm_at"]
        planned.append(
            (row["rm_obj"], recipients, sequence, number, level, since, again[row["rm_tag"]])
        )
    return planned


def _primary(reason: registry.Waiting, to: str, not_to: str, people: _People) -> list[int]:
    """The people named on the object; when none is (or none is active), the reason's role."""
    named = [uid for uid in registry.parse_people(to) if people.active.get(uid)]
    if named:
        return registry.unique(named)
    excluded = set(registry.parse_people(not_to))
    return [uid for uid in people.role(reason.role) if uid not in excluded]
