from django.db import migrations

# The exception model moved to the exceptions app, table and rows included: forget it here
# without dropping anything.


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0003_alter_signoff_exception"),
        ("scenarios", "0003_scenario_newest_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="PlatformException",
                ),
            ],
        ),
    ]
