"""The audit trail's hash chain, its head, and `manage.py verify_audit`.

The tamper tests act as the tables' owner (the test suite's superuser), who can switch the
triggers off; the chain and its head must then show exactly what was done."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from portal.core.audit import (
    CHAINED_FIELDS,
    ChainReport,
    record_transition,
    row_digest,
    verify_chain,
)
from portal.core.models import AuditChainHead, AuditEntry, OutboundEmail
from tests.scenarios.factories import ScenarioFactory

CHAIN_MIGRATION = import_module("portal.core.migrations.0004_audit_chain")
ENTRY = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def three_rows(product_owner: Any) -> list[AuditEntry]:
    scenario = ScenarioFactory(status="draft", product_owner=product_owner)
    steps = [("submit", "draft", "submitted"), ("start_review", "submitted", "in_review")]
    steps.append(("approve", "in_review", "approved"))
    rows = [
        record_transition(scenario, transition=t, source=s, target=g, actor=product_owner)
        for t, s, g in steps
    ]
    if connection.vendor == "postgresql":
        # Check the deferred foreign keys now: PostgreSQL refuses TRUNCATE and ALTER TABLE
        # while such checks are pending, and the tests below use both.
        sql("SET CONSTRAINTS ALL IMMEDIATE")
    return rows


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def triggers_off() -> Iterator[None]:
    """What the owner (a superuser here) can do: replica mode, where no trigger fires. SQLite
    has only the head's trigger; it is dropped and made again."""
    if connection.vendor == "postgresql":
        sql("SET LOCAL session_replication_role = replica")
    else:
        sql("DROP TRIGGER core_audit_advance_head")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            sql("SET LOCAL session_replication_role = origin")
        else:
            sql(CHAIN_MIGRATION.SQLITE_INSTALL.format(entry=ENTRY, head=HEAD))


def kinds(report: ChainReport) -> list[str]:
    return [finding.kind for finding in report.findings]


def forged_row(seq: int, prev_hash: str, *, created_at: str, key: bytes) -> None:
    """An INSERT in SQL by someone who knows the algorithm but not the portal's key."""
    values = AuditEntry.objects.values(*CHAINED_FIELDS).get(seq=1)
    values.update(seq=seq, prev_hash=prev_hash, comment="forged", transition="approve")
    values["created_at"] = parse_datetime(created_at)
    digest = row_digest(values, key)
    columns = [
        "seq", "content_type_id", "object_id", "object_repr", "transition", "source", "target",
        "actor_id", "as_delegate", "comment", "request_id", "created_at", "prev_hash",
    ]  # fmt: skip
    sql(
        f"INSERT INTO {ENTRY} ({', '.join(columns)}, row_hash) "
        f"VALUES ({', '.join(['%s'] * (len(columns) + 1))})",
        [values[c] for c in columns] + [digest],
    )


@pytest.mark.django_db
class TestChain:
    def test_rows_link_in_order_and_match_their_hash(self, three_rows: list[AuditEntry]) -> None:
        rows = list(AuditEntry.objects.order_by("seq").values("row_hash", *CHAINED_FIELDS))
        assert [row["seq"] for row in rows] == [1, 2, 3]
        assert [row["prev_hash"] for row in rows] == ["", rows[0]["row_hash"], rows[1]["row_hash"]]
        from portal.core.audit import chain_key

        assert all(row_digest(row, chain_key()) == row["row_hash"] for row in rows)
        head = AuditChainHead.objects.get()
        assert (head.seq, head.row_hash) == (3, rows[2]["row_hash"])

    def test_an_intact_chain_verifies(self, three_rows: list[AuditEntry]) -> None:
        report = verify_chain()
        assert report.intact, report.findings
        assert (report.rows, report.head_seq) == (3, 3)

    def test_an_append_costs_one_query_more_than_the_insert(
        self, three_rows: list[AuditEntry], django_assert_num_queries: Any
    ) -> None:
        scenario = three_rows[0].subject
        with django_assert_num_queries(2):  # lock the head, insert the row
            record_transition(scenario, transition="t", source="a", target="b", actor=None)

    def test_the_chain_key_is_what_a_forger_lacks(
        self, three_rows: list[AuditEntry], settings: Any
    ) -> None:
        settings.AUDIT_CHAIN_KEY = "another key"
        report = verify_chain()
        assert kinds(report) == ["forged", "forged", "forged"]
        assert all("does not match its hash" in f.message for f in report.findings)


@pytest.mark.django_db
class TestVerifyCommand:
    def test_intact_prints_and_exits_zero(
        self, three_rows: list[AuditEntry], capsys: Any, admin_user: Any
    ) -> None:
        call_command("verify_audit")
        assert "Audit trail intact: 3 rows, head at seq 3." in capsys.readouterr().out
        assert not OutboundEmail.objects.exists()

    def test_tampering_exits_non_zero_and_emails_the_admins(
        self,
        three_rows: list[AuditEntry],
        capsys: Any,
        admin_user: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with triggers_off():
            sql(f"UPDATE {ENTRY} SET comment = 'rewritten' WHERE seq = 2")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as error:
            call_command("verify_audit")
        assert "1 finding(s) in 3 rows" in str(error.value)
        assert "changed: seq 2 (id" in capsys.readouterr().out
        email = OutboundEmail.objects.get(template="audit_tampered")
        assert email.to == [admin_user.email]
        assert "no longer matches its hash: changed" in email.body_text
        assert [m.subject for m in mail.outbox] == ["Audit trail check failed: 1 sign of tampering"]

    def test_a_chain_broken_everywhere_lists_the_first_findings_and_counts_the_rest(
        self,
        three_rows: list[AuditEntry],
        settings: Any,
        monkeypatch: Any,
        capsys: Any,
        admin_user: Any,
    ) -> None:
        monkeypatch.setattr("portal.core.audit.LISTED_FINDINGS", 2)
        settings.AUDIT_CHAIN_KEY = "another key"
        with pytest.raises(CommandError, match="3 finding"):
            call_command("verify_audit")
        assert capsys.readouterr().out.endswith("... and 1 more.\n")
        assert "3 signs of tampering" in OutboundEmail.objects.get().subject

    def test_the_beat_task_runs_the_same_check(self, three_rows: list[AuditEntry]) -> None:
        from portal.celery import app
        from portal.core.tasks import verify_audit_task

        entries = app.conf.beat_schedule.values()
        assert "portal.core.tasks.verify_audit_task" in [entry["task"] for entry in entries]
        assert verify_audit_task.delay().get() == 0
        with triggers_off():
            sql(f"DELETE FROM {ENTRY} WHERE seq = 2")
        assert verify_audit_task.delay().get() == 1


@pytest.mark.django_db
class TestTamperingShows:
    """Each kind of tampering the owner can do with the triggers off, and what verify says."""

    def test_a_changed_row(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"UPDATE {ENTRY} SET comment = 'rewritten' WHERE seq = 2")
        (finding,) = verify_chain().findings
        assert finding.kind == "changed"
        assert finding.message.startswith(f"seq 2 (id {three_rows[1].pk}, start_review of")

    def test_a_row_deleted_in_the_middle(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"DELETE FROM {ENTRY} WHERE seq = 2")
        assert [f.message for f in verify_chain().findings] == ["seq 2 missing: deleted."]

    def test_a_deleted_tail(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"DELETE FROM {ENTRY} WHERE seq >= 2")
        assert [f.message for f in verify_chain().findings] == [
            "seq 2 to 3 missing at the end: deleted or truncated."
        ]

    def test_an_emptied_table(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"DELETE FROM {ENTRY}")
        assert [f.message for f in verify_chain().findings] == [
            "The audit table is empty, but the chain head says it held 3 rows: truncated."
        ]

    def test_a_forged_back_dated_row_past_the_head(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            forged_row(4, three_rows[2].row_hash, created_at="2020-01-01T00:00:00Z", key=b"guess")
        report = verify_chain()
        assert kinds(report) == ["forged", "inserted"]
        assert report.findings[0].message.endswith("back-dated.")
        assert report.findings[1].message.startswith("seq 4 past the chain head (seq 3)")

    def test_a_replaced_row(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"DELETE FROM {ENTRY} WHERE seq = 2")
            forged_row(2, three_rows[0].row_hash, created_at="2026-01-01T00:00:00Z", key=b"x")
        (finding,) = verify_chain().findings
        assert finding.kind == "forged"
        assert "does not match its hash: written in SQL." in finding.message

    def test_a_deleted_head(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"DELETE FROM {HEAD}")
        assert kinds(verify_chain()) == ["anchor"]


@pytest.mark.django_db
def test_the_migration_chains_existing_rows_in_time_order(three_rows: list[AuditEntry]) -> None:
    """Rows written before the chain: no hashes, and the newest has the lowest id."""
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    with triggers_off():
        sql(f"UPDATE {ENTRY} SET seq = seq + 100, prev_hash = '', row_hash = ''")
        later = three_rows[2].created_at + dt.timedelta(days=1)
        sql(f"UPDATE {ENTRY} SET created_at = %s WHERE seq = 101", [later])
        sql(f"DELETE FROM {HEAD}")
    state = MigrationLoader(connection).project_state(("core", "0004_audit_chain"))
    with triggers_off():
        CHAIN_MIGRATION.chain_existing_rows(state.apps, SimpleNamespace(connection=connection))
    assert verify_chain().intact
    order = AuditEntry.objects.order_by("seq").values_list("pk", flat=True)
    assert list(order) == [three_rows[1].pk, three_rows[2].pk, three_rows[0].pk]


@pytest.mark.postgres
@pytest.mark.django_db
class TestPostgresTriggers:
    def test_the_migration_installed_them(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass) "
                "AND NOT tgisinternal",
                [ENTRY, HEAD],
            )
            names = {row[0] for row in cursor.fetchall()}
        assert names == {
            "core_audit_append_only", "core_audit_no_truncate", "core_audit_advance_head",
            "core_audit_head_forward_only", "core_audit_head_kept", "core_audit_head_no_truncate",
        }  # fmt: skip

    @pytest.mark.parametrize(
        "statement",
        [
            f"UPDATE {ENTRY} SET comment = 'rewritten'",
            f"DELETE FROM {ENTRY}",
            f"TRUNCATE {ENTRY}",
            f"UPDATE {HEAD} SET seq = seq - 1",
            f"DELETE FROM {HEAD}",
            f"TRUNCATE {HEAD}",
        ],
    )
    def test_writes_that_would_hide_something_are_refused_even_with_pgtrigger_ignore(
        self, three_rows: list[AuditEntry], statement: str
    ) -> None:
        from django.db import DatabaseError

        for prefix in ("", "SET LOCAL pgtrigger.ignore = '{core_audit_append_only}'; "):
            with (
                pytest.raises(DatabaseError, match="Cannot|only moves forward"),
                transaction.atomic(),
            ):
                sql(prefix + statement)
        assert verify_chain().intact

    def test_a_changed_row_with_one_trigger_disabled(self, three_rows: list[AuditEntry]) -> None:
        sql(f"ALTER TABLE {ENTRY} DISABLE TRIGGER core_audit_append_only")
        sql(f"UPDATE {ENTRY} SET actor_id = NULL WHERE seq = 1")
        assert kinds(verify_chain()) == ["changed"]

    def test_a_dropped_trigger_and_a_deleted_tail(self, three_rows: list[AuditEntry]) -> None:
        sql(f"DROP TRIGGER core_audit_append_only ON {ENTRY}")
        sql(f"DELETE FROM {ENTRY} WHERE seq = 3")
        assert [f.message for f in verify_chain().findings] == [
            "seq 3 missing at the end: deleted or truncated."
        ]

    def test_a_truncated_table(self, three_rows: list[AuditEntry]) -> None:
        with triggers_off():
            sql(f"TRUNCATE {ENTRY}")
        assert kinds(verify_chain()) == ["deleted"]

    def test_a_forged_insert_with_the_triggers_on_moves_the_head_but_fails_its_hash(
        self, three_rows: list[AuditEntry]
    ) -> None:
        forged_row(4, three_rows[2].row_hash, created_at="2024-05-01T00:00:00Z", key=b"guess")
        assert AuditChainHead.objects.get().seq == 4
        (finding,) = verify_chain().findings
        assert finding.kind == "forged"
        assert finding.message.endswith("back-dated.")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(product_owner: Any) -> None:
    """Eight writers at once, each appending in its own transactions: one unbroken chain."""
    scenario = ScenarioFactory(status="draft", product_owner=product_owner)
    writers, appends = 8, 10
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            barrier.wait()
            for n in range(appends):
                with transaction.atomic():
                    record_transition(
                        scenario, transition=f"t{n}", source="a", target="b", actor=None
                    )
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = verify_chain()
    assert report.intact, report.findings
    assert (report.rows, report.head_seq) == (writers * appends, writers * appends)
