"""The audit trail becomes a hash chain with a head outside the table.

Existing rows are chained in (created_at, id) order. On PostgreSQL plain triggers replace the
django-pgtrigger one: pgtrigger's triggers step aside for anyone who sets the session variable
`pgtrigger.ignore`, which every role may. They refuse UPDATE, DELETE and TRUNCATE of audit rows,
move the head forward on every insert (once per statement, so a bulk COPY moves it once) and
keep the head from moving back, being deleted or truncated. Only the tables' owner can switch
them off, which is why the portal runs under a role that owns nothing (README).
"""

from typing import Any

import pgtrigger.migrations
from django.db import migrations, models

BATCH = 1000

POSTGRES_INSTALL = """
CREATE FUNCTION core_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Cannot % %: the audit trail is append-only', TG_OP, TG_TABLE_NAME;
END $$;

CREATE FUNCTION core_audit_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {head} AS head SET seq = last.seq, row_hash = last.row_hash
    FROM (SELECT seq, row_hash FROM appended ORDER BY seq DESC LIMIT 1) AS last
    WHERE head.id = 1 AND last.seq > head.seq;
    RETURN NULL;
END $$;

CREATE FUNCTION core_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION 'The audit chain head only moves forward (seq % to %)', OLD.seq, NEW.seq;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER core_audit_append_only BEFORE UPDATE OR DELETE ON {entry}
    FOR EACH ROW EXECUTE FUNCTION core_audit_refuse();
CREATE TRIGGER core_audit_no_truncate BEFORE TRUNCATE ON {entry}
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse();
CREATE TRIGGER core_audit_advance_head AFTER INSERT ON {entry}
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_advance_head();
CREATE TRIGGER core_audit_head_forward_only BEFORE UPDATE ON {head}
    FOR EACH ROW EXECUTE FUNCTION core_audit_head_forward_only();
CREATE TRIGGER core_audit_head_kept BEFORE DELETE ON {head}
    FOR EACH ROW EXECUTE FUNCTION core_audit_refuse();
CREATE TRIGGER core_audit_head_no_truncate BEFORE TRUNCATE ON {head}
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS core_audit_append_only ON {entry};
DROP TRIGGER IF EXISTS core_audit_no_truncate ON {entry};
DROP TRIGGER IF EXISTS core_audit_advance_head ON {entry};
DROP TRIGGER IF EXISTS core_audit_head_forward_only ON {head};
DROP TRIGGER IF EXISTS core_audit_head_kept ON {head};
DROP TRIGGER IF EXISTS core_audit_head_no_truncate ON {head};
DROP FUNCTION IF EXISTS core_audit_refuse();
DROP FUNCTION IF EXISTS core_audit_advance_head();
DROP FUNCTION IF EXISTS core_audit_head_forward_only();
"""

# SQLite (development and tests) only keeps the head; it has no roles to keep anyone out.
SQLITE_INSTALL = """
CREATE TRIGGER core_audit_advance_head AFTER INSERT ON {entry} FOR EACH ROW
BEGIN
    UPDATE {head} SET seq = NEW.seq, row_hash = NEW.row_hash WHERE id = 1 AND NEW.seq > seq;
END;
"""

SQLITE_DROP = "DROP TRIGGER IF EXISTS core_audit_advance_head;"


def _tables(apps: Any) -> dict[str, str]:
    return {
        "entry": apps.get_model("core", "AuditEntry")._meta.db_table,
        "head": apps.get_model("core", "AuditChainHead")._meta.db_table,
    }


def chain_existing_rows(apps: Any, schema_editor: Any) -> None:
    from portal.core.audit import HEAD_ID, chain_key, link

    entry_model = apps.get_model("core", "AuditEntry")
    using = schema_editor.connection.alias
    key, seq, prev_hash = chain_key(), 0, ""
    rows = entry_model.objects.using(using).order_by("created_at", "id")
    batch: list[Any] = []
    for entry in rows.iterator(chunk_size=BATCH):
        seq += 1
        prev_hash = link(entry, seq=seq, prev_hash=prev_hash, key=key).row_hash
        batch.append(entry)
        if len(batch) == BATCH:
            entry_model.objects.using(using).bulk_update(batch, ["seq", "prev_hash", "row_hash"])
            batch = []
    entry_model.objects.using(using).bulk_update(batch, ["seq", "prev_hash", "row_hash"])
    apps.get_model("core", "AuditChainHead").objects.using(using).create(
        pk=HEAD_ID, seq=seq, row_hash=prev_hash
    )


def _run(schema_editor: Any, sql: str) -> None:
    schema_editor.execute(sql, params=None)


def install_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_INSTALL.format(**_tables(apps)))
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL.format(**_tables(apps)))


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP.format(**_tables(apps)))
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_idempotency_keys"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="auditentry", name="audit_append_only"),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("row_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={"verbose_name": "audit chain head"},
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(editable=False, max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
