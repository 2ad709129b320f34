from typing import Any

from django.db import migrations

# Audit rows, admin log entries and permissions name the model through its content type: the
# moved model keeps the row (and so its id) under its new app, and with it all its history.


def rename(apps: Any, schema_editor: Any) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="scenarios", model="platformexception").update(
        app_label="exceptions"
    )


def rename_back(apps: Any, schema_editor: Any) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="exceptions", model="platformexception").update(
        app_label="scenarios"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exceptions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
