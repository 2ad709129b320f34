"""manage.py grant_app_role ROLE: let a role that owns nothing run the portal (PostgreSQL).

Run it as the tables' owner (the role that migrates), once; default privileges cover the
tables later migrations create. The app role can then read and write rows, but as it owns no
table it cannot disable or drop the audit trail's triggers, truncate, or alter tables; nor, not
being a superuser, switch to replica mode.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grant_statements(role: str, database: str) -> list[str]:
    """The grants, as SQL, for a role name and a database name already quoted."""
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_PRIVILEGES} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = (
        "Grant an existing PostgreSQL role what the portal needs, and nothing it could hide with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="An existing login role that is not a superuser.")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only (set DATABASE_URL).")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls, rolname = current_user, EXISTS (SELECT 1 FROM "
                "pg_tables WHERE schemaname = 'public' AND tableowner = rolname) FROM pg_roles "
                "WHERE rolname = %s",
                [role],
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(
                    f"No role {role!r}: CREATE ROLE {role} LOGIN PASSWORD '...' first."
                )
            if any(found):
                raise CommandError(
                    f"{role!r} is a superuser, owns tables or runs this command: the portal's "
                    "role must own nothing and bypass nothing."
                )
            quote = connection.ops.quote_name
            for statement in grant_statements(quote(role), quote(connection.settings_dict["NAME"])):
                cursor.execute(statement)
        self.stdout.write(f"Granted {ROW_PRIVILEGES} on every table to {role}.")
