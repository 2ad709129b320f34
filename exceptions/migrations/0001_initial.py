import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models

import portal.core.models

# The model moved here from the scenarios app. Its table stays `scenarios_platformexception`,
# so only Django's idea of which app owns it changes: the database is left as it is.


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0004_audit_chain"),
        ("scenarios", "0003_scenario_newest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlatformException",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("provider_keys", "Product team holds provider keys directly"),
                                    ("outside_gateway", "Model served outside the gateway"),
                                    ("eval_gate_bypass", "Eval gate bypass"),
                                    ("unregistered_tool", "Tool outside the registry"),
                                    (
                                        "manual_prompt",
                                        "Manual prompt approval outside the release process",
                                    ),
                                    ("missing_owner", "Missing owner"),
                                    ("other", "Other"),
                                ],
                                max_length=32,
                            ),
                        ),
                        ("other_description", models.CharField(blank=True, max_length=255)),
                        ("title", models.CharField(max_length=200)),
                        ("justification", models.TextField(blank=True)),
                        (
                            "risk",
                            models.CharField(
                                blank=True,
                                choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                                max_length=8,
                            ),
                        ),
                        ("risk_reason", models.TextField(blank=True)),
                        ("compensating_controls", models.TextField(blank=True)),
                        ("expires_on", models.DateField(blank=True, db_index=True, null=True)),
                        ("decision_comment", models.TextField(blank=True)),
                        (
                            "detection_note",
                            models.TextField(
                                blank=True,
                                help_text="What the platform found, for exceptions it detected.",
                            ),
                        ),
                        ("end_reason", models.TextField(blank=True)),
                        (
                            "status",
                            django_fsm.FSMField(
                                choices=[
                                    ("detected", "Detected (undocumented)"),
                                    ("requested", "Requested"),
                                    ("approved", "Approved"),
                                    ("rejected", "Rejected"),
                                    ("expired", "Expired"),
                                    ("revoked", "Revoked"),
                                    ("closed", "Closed"),
                                ],
                                db_index=True,
                                default="requested",
                                max_length=16,
                                protected=True,
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("requested_at", models.DateTimeField(blank=True, null=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "approver",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "detected_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "ended_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "extends",
                            models.ForeignKey(
                                blank=True,
                                help_text="The exception this request extends: an extension is a new request.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="extensions",
                                to="exceptions.platformexception",
                            ),
                        ),
                        (
                            "requester",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "scenario",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="exceptions",
                                to="scenarios.scenario",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.team",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "exception",
                        "db_table": "scenarios_platformexception",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["scenario", "kind", "status"],
                                name="scenarios_p_scenari_c8e7ad_idx",
                            ),
                            models.Index(
                                fields=["status", "expires_on"],
                                name="scenarios_p_status_79b32c_idx",
                            ),
                        ],
                    },
                    bases=(portal.core.models.ChoiceLabels, django_fsm.FSMModelMixin, models.Model),
                ),
            ],
        ),
    ]
