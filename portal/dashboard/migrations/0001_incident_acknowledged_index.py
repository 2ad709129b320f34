"""An index the time-to-acknowledge figure needs: it selects incidents by `acknowledged_at`.

Created here because the dashboard is the one reader that filters on that column; it is plain
SQL (the same statement on PostgreSQL and SQLite) and leaves the incidents app's model state
alone, so moving it into `Incident.Meta.indexes` later only needs this migration's reverse."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS dashboard_incident_acknowledged_at "
            "ON incidents_incident (acknowledged_at)",
            reverse_sql="DROP INDEX IF EXISTS dashboard_incident_acknowledged_at",
        ),
    ]
