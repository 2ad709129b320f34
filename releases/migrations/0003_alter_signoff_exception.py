import django.db.models.deletion
from django.db import migrations, models

# The exception model moved to the exceptions app with its table: the foreign key now points
# at the same table under its new app; the database constraint stays.


class Migration(migrations.Migration):
    dependencies = [
        ("exceptions", "0001_initial"),
        ("releases", "0002_signoff_queue_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="signoff",
                    name="exception",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The eval gate bypass this quality sign-off relied on.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="exceptions.platformexception",
                    ),
                ),
            ],
        ),
    ]
