"""The portal under a database role that owns nothing (README, "Database roles").

The test connects as such a role, writes through the portal's services, and proves that none
of the statements that would hide tampering with the audit trail goes through."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from portal.core.audit import record_transition, verify_chain
from portal.core.models import AuditEntry
from support.services import support_open

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ENTRY = AuditEntry._meta.db_table
REFUSED = {
    f"UPDATE {ENTRY} SET comment = 'rewritten'": "Cannot UPDATE",
    f"DELETE FROM {ENTRY}": "Cannot DELETE",
    f"SET LOCAL pgtrigger.ignore = '{{core_audit_append_only}}'; DELETE FROM {ENTRY}": "Cannot",
    f"TRUNCATE {ENTRY}": "permission denied",
    f"ALTER TABLE {ENTRY} DISABLE TRIGGER core_audit_append_only": "must be owner",
    f"ALTER TABLE {ENTRY} DISABLE TRIGGER USER": "must be owner",
    f"DROP TRIGGER core_audit_append_only ON {ENTRY}": "must be owner",
    "SET session_replication_role = replica": "permission denied",
    "UPDATE core_auditchainhead SET seq = 0": "only moves forward",
    "DELETE FROM core_auditchainhead": "Cannot DELETE",
}


@pytest.fixture
def app_role() -> Iterator[tuple[str, str]]:
    """A login role of this test database's own, with the grants of `grant_app_role`."""
    name = f"{connection.settings_dict['NAME']}_app"
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {connection.ops.quote_name(name)} LOGIN")
        cursor.execute(f"ALTER ROLE {connection.ops.quote_name(name)} PASSWORD %s", [password])
    call_command("grant_app_role", name)
    yield name, password


@contextmanager
def connected_as(user: str, password: str) -> Iterator[None]:
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=user, PASSWORD=password)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def test_the_portal_writes_as_the_app_role_which_cannot_hide_anything(
    app_role: tuple[str, str], product_owner: Any, platform_reviewer: Any
) -> None:
    with connected_as(*app_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role[0],)
        request = support_open(
            actor=product_owner, title="Gateway quota", description="?", category="other"
        )
        with transaction.atomic():
            record_transition(
                request, transition="t", source="open", target="open", actor=platform_reviewer
            )
        assert AuditEntry.objects.count() == 2
        for statement, error in REFUSED.items():
            with (
                pytest.raises(DatabaseError, match=error),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
        report = verify_chain()
    assert report.intact, report.findings
    assert report.rows == 2


def test_grant_refuses_a_role_that_owns_the_tables() -> None:
    with pytest.raises(CommandError, match="must own nothing"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="No role"):
        call_command("grant_app_role", "no_such_role_here")
