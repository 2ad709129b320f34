"""Writing, reading and verifying the audit trail.

Rows form a hash chain: each stores `seq` (its place), `prev_hash` (the row before's hash) and
`row_hash`, an HMAC-SHA256 under `settings.AUDIT_CHAIN_KEY` over the canonical JSON of its fields
and `prev_hash`. The database holds no key, so a row changed or written in SQL does not match
its hash. The chain head (`AuditChainHead`, moved by a trigger on every append) anchors the end:
a truncated table or a deleted tail leaves it pointing past the last row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from portal.core import roles
from portal.core.middleware import current_request_id
from portal.core.models import AuditChainHead, AuditEntry, User
from portal.core.notifications import send_templated
from portal.core.selectors import people_with_role

HEAD_ID = 1
# The fields an HMAC covers, by attribute name. Changing this list needs a migration that
# rechains every row.
CHAINED_FIELDS = (
    "seq", "content_type_id", "object_id", "object_repr", "transition", "source", "target",
    "actor_id", "as_delegate", "comment", "request_id", "created_at", "prev_hash",
)  # fmt: skip
EMAILED_FINDINGS = 100
# A chain broken everywhere (the wrong key) would list every row; past this many only a count.
LISTED_FINDINGS = 10_000


class AuditChainError(RuntimeError):
    """The chain cannot be appended to (its head row is gone)."""


def chain_key() -> bytes:
    return str(settings.AUDIT_CHAIN_KEY).encode()


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def row_digest(values: Mapping[str, Any], key: bytes) -> str:
    """The HMAC of one row: canonical JSON (sorted keys, no spaces, UTC times) of its fields."""
    canonical = {name: _canonical(values[name]) for name in CHAINED_FIELDS}
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def link(entry: Any, *, seq: int, prev_hash: str, key: bytes) -> Any:
    """Give an unsaved entry its place in the chain and its hash."""
    entry.seq, entry.prev_hash = seq, prev_hash
    entry.row_hash = row_digest({name: getattr(entry, name) for name in CHAINED_FIELDS}, key)
    return entry


def link_rows(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain unsaved entries after the current head, in list order, for bulk loads (bench/)."""
    seq, prev_hash = AuditChainHead.objects.values_list("seq", "row_hash").get(pk=HEAD_ID)
    key = chain_key()
    for offset, entry in enumerate(entries, start=1):
        prev_hash = link(entry, seq=seq + offset, prev_hash=prev_hash, key=key).row_hash
    return entries


def _locked_head() -> tuple[int, str]:
    # The row lock serializes appends, so two writers never chain onto the same row. In READ
    # COMMITTED, FOR UPDATE returns the head as the previous holder's trigger left it.
    head = (
        AuditChainHead.objects.select_for_update()
        .filter(pk=HEAD_ID)
        .values_list("seq", "row_hash")
        .first()
    )
    if head is None:
        raise AuditChainError("The audit chain head is missing; run manage.py verify_audit.")
    return head


def record_transition(
    obj: models.Model,
    *,
    transition: str,
    source: str,
    target: str,
    actor: User | None,
    comment: str = "",
    as_delegate: bool = False,
    label: str = "",
) -> AuditEntry:
    """Append one audit row. Call it inside the transaction that changed the object.
    `label` names the object when its own `str()` does not say what it is."""
    # No savepoint: inside the caller's transaction this adds no query; outside one it makes
    # a transaction, which the head's row lock needs.
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _locked_head()
        entry = AuditEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=(label or str(obj))[:200],
            transition=transition,
            source=source,
            target=target,
            actor=actor if getattr(actor, "pk", None) else None,
            comment=comment,
            as_delegate=as_delegate,
            request_id=current_request_id(),
            created_at=timezone.now(),
        )
        link(entry, seq=seq + 1, prev_hash=prev_hash, key=chain_key())
        entry.save(force_insert=True)
    return entry


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The object's transitions, oldest first, with actors loaded."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def ensure_head(apps: Any, using: str) -> None:
    """Create the chain head for an empty audit table (after migrate, or a test's flush)."""
    head_model = apps.get_model("core", "AuditChainHead")
    entry_model = apps.get_model("core", "AuditEntry")
    heads = head_model.objects.using(using)
    if not heads.filter(pk=HEAD_ID).exists() and not entry_model.objects.using(using).exists():
        heads.create(pk=HEAD_ID, seq=0, row_hash="")


# Verification
@dataclass(frozen=True)
class Finding:
    """One sign of tampering: `kind` is changed, forged, deleted, inserted, reordered or anchor."""

    kind: str
    message: str


@dataclass
class ChainReport:
    rows: int = 0
    head_seq: int | None = None
    findings: list[Finding] = field(default_factory=list)
    unlisted: int = 0

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def total(self) -> int:
        return len(self.findings) + self.unlisted


def _describe(row: Mapping[str, Any]) -> str:
    created = row["created_at"].astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"seq {row['seq']} (id {row['id']}, {row['transition']} of "
        f"{row['object_repr']!r}, dated {created} UTC)"
    )


class _Walk:
    """Reads the rows in chain order, one at a time, and notes every break."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.findings: list[Finding] = []
        self.unlisted = 0
        self.rows = 0
        self.last: Mapping[str, Any] | None = None
        self.last_is_bad = False
        self.back_dated = False

    def note(self, kind: str, message: str) -> None:
        if len(self.findings) < LISTED_FINDINGS:
            self.findings.append(Finding(kind, message))
        else:
            self.unlisted += 1

    def step(self, row: Mapping[str, Any]) -> None:
        self.rows += 1
        if row["seq"] is None:
            self.note("inserted", f"id {row['id']} has no place in the chain: written in SQL.")
            return
        expected = self.last["seq"] + 1 if self.last else 1
        gap = row["seq"] > expected
        if gap:
            self.note("deleted", f"{_span(expected, row['seq'] - 1)} missing: deleted.")
        bad = row_digest(row, self.key) != row["row_hash"]
        if self.last is not None:
            # A row that matches its hash vouches for the row it was chained onto.
            follows = row["prev_hash"] == self.last["row_hash"]
            if self.last_is_bad:
                self._judge_last(vouched=None if gap or bad else follows)
            elif not (gap or bad or follows):
                self.note("reordered", f"{_describe(row)} was not chained onto seq {expected - 1}.")
        self.back_dated = (
            bad and self.last is not None and row["created_at"] < self.last["created_at"]
        )
        self.last, self.last_is_bad = row, bad

    def _judge_last(self, *, vouched: bool | None) -> None:
        assert self.last is not None
        described = _describe(self.last)
        dated = " It is dated before the row preceding it: back-dated." if self.back_dated else ""
        if vouched:
            self.note("changed", f"{described} no longer matches its hash: changed.{dated}")
        elif vouched is None:
            self.note(
                "forged",
                f"{described} does not match its hash, and no later row vouches for it: "
                f"written in SQL, or changed.{dated}",
            )
        else:
            self.note("forged", f"{described} does not match its hash: written in SQL.{dated}")

    def finish(self) -> None:
        if self.last is not None and self.last_is_bad:
            self._judge_last(vouched=None)


def _span(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seq {first} to {last}"


def _anchor_findings(head: tuple[int, str] | None, walk: _Walk) -> list[Finding]:
    last = walk.last
    last_seq = last["seq"] if last else 0
    if head is None:
        return [Finding("anchor", "The chain head row is missing: deleted in SQL.")]
    seq, row_hash = head
    if last_seq < seq:
        if last is None:
            text = (
                f"The audit table is empty, but the chain head says it held {seq} rows: truncated."
            )
        else:
            text = f"{_span(last_seq + 1, seq)} missing at the end: deleted or truncated."
        return [Finding("deleted", text)]
    if last_seq > seq:
        return [
            Finding(
                "inserted",
                f"{_span(seq + 1, last_seq)} past the chain head (seq {seq}): "
                "inserted in SQL with the head's trigger off.",
            )
        ]
    if last is not None and last["row_hash"] != row_hash:
        return [Finding("anchor", f"The chain head's hash differs from that of seq {seq}.")]
    return []


def verify_chain() -> ChainReport:
    """Walk the whole chain in `seq` order (streamed) and compare its end with the head."""
    walk = _Walk(chain_key())
    head = AuditChainHead.objects.filter(pk=HEAD_ID).values_list("seq", "row_hash").first()
    rows = AuditEntry.objects.order_by(F("seq").asc(nulls_last=True)).values(
        "id", "row_hash", *CHAINED_FIELDS
    )
    for row in rows.iterator(chunk_size=2000):
        walk.step(row)
    walk.finish()
    findings = walk.findings + _anchor_findings(head, walk)
    head_seq = head[0] if head else None
    return ChainReport(walk.rows, head_seq, findings, unlisted=walk.unlisted)


def _admins() -> Iterable[User]:
    return people_with_role(roles.ADMIN).order_by("pk")


def verify_and_alert() -> ChainReport:
    """Verify the chain; when it shows tampering, email every admin (through the outbox)."""
    report = verify_chain()
    if not report.intact:
        context = {"report": report, "findings": report.findings[:EMAILED_FINDINGS]}
        with transaction.atomic():
            send_templated("audit_tampered", _admins(), context)
    return report


def audit_trail() -> models.QuerySet[AuditEntry]:
    """Every audit row, newest first, with actors and object types loaded (for admins)."""
    return AuditEntry.objects.select_related("actor", "content_type").order_by("-created_at", "-id")


def on_days(
    entries: models.QuerySet[AuditEntry], start: dt.date | None, end: dt.date | None
) -> models.QuerySet[AuditEntry]:
    """The rows from `start` 00:00 to the end of `end` (both days included, local time)."""
    tz = timezone.get_current_timezone()
    if start is not None:
        entries = entries.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tz))
    if end is not None:
        following = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
        entries = entries.filter(created_at__lt=following)
    return entries


def object_type(content_type: ContentType) -> str:
    """How exports and the API name an object's type: `app_label.model`."""
    return f"{content_type.app_label}.{content_type.model}"


def content_type_named(name: str) -> ContentType | None:
    """The content type an `app_label.model` name stands for, if any."""
    app_label, _, model = name.strip().lower().partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
