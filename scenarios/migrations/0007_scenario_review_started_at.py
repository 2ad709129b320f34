"""The moment the current review started becomes a column, filled from the audit trail: the
first `start_review` row at or after the scenario's latest submission (none when the scenario
waits for review again after being resubmitted)."""

from typing import Any

from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast


def fill_from_audit(apps: Any, schema_editor: Any) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    scenario_type = content_types.objects.filter(app_label="scenarios", model="scenario").first()
    if scenario_type is None:
        return
    starts = apps.get_model("core", "AuditEntry").objects.filter(
        content_type=scenario_type,
        transition="start_review",
        object_id=Cast(OuterRef("pk"), CharField()),
        created_at__gte=OuterRef("submitted_at"),
    )
    apps.get_model("scenarios", "Scenario").objects.filter(submitted_at__isnull=False).update(
        review_started_at=Subquery(starts.order_by("created_at", "seq").values("created_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_user_language"),
        ("scenarios", "0006_amendment"),
    ]

    operations = [
        migrations.AddField(
            model_name="scenario",
            name="review_started_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(fill_from_audit, migrations.RunPython.noop),
    ]
