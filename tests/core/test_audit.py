"""The audit trail is append-only: through the ORM, the admin and, on PostgreSQL, raw SQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.core.audit import history_for, record_transition
from portal.core.models import AuditEntry
from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def entry(product_owner: Any) -> AuditEntry:
    scenario = ScenarioFactory(status="submitted", product_owner=product_owner)
    return record_transition(
        scenario,
        transition="submit",
        source="draft",
        target="submitted",
        actor=product_owner,
        comment="Ready for review.",
    )


@pytest.mark.django_db
class TestOrmGuards:
    def test_saving_an_existing_row_raises(self, entry: AuditEntry) -> None:
        entry.comment = "rewritten"
        with pytest.raises(PermissionError):
            entry.save()
        assert AuditEntry.objects.get(pk=entry.pk).comment == "Ready for review."

    def test_deleting_a_row_raises(self, entry: AuditEntry) -> None:
        with pytest.raises(PermissionError):
            entry.delete()
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_bulk_update_and_delete_raise(self, entry: AuditEntry) -> None:
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(comment="rewritten")
        with pytest.raises(PermissionError):
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.get(pk=entry.pk).comment == "Ready for review."

    def test_new_rows_are_written(self, entry: AuditEntry, product_owner: Any) -> None:
        assert entry.pk is not None
        assert entry.actor == product_owner
        assert entry.created_at.tzinfo is not None

    def test_history_lists_the_objects_rows_oldest_first(self, product_owner: Any) -> None:
        scenario = ScenarioFactory(status="submitted", product_owner=product_owner)
        other = ScenarioFactory(status="submitted", product_owner=product_owner)
        for target in ("submitted", "in_review"):
            record_transition(
                scenario, transition="t", source="x", target=target, actor=product_owner
            )
        record_transition(other, transition="t", source="x", target="y", actor=product_owner)
        assert [e.target for e in history_for(scenario)] == ["submitted", "in_review"]


@pytest.mark.django_db
class TestAdmin:
    def test_admin_offers_no_add_change_or_delete(self, admin_user: Any, entry: AuditEntry) -> None:
        model_admin = admin.site._registry[AuditEntry]
        request = RequestFactory().get("/admin/core/auditentry/")
        request.user = admin_user
        assert model_admin.has_view_permission(request, entry)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, entry)
        assert not model_admin.has_delete_permission(request, entry)

    def test_admin_pages_refuse_writes(
        self, client: Any, admin_user: Any, entry: AuditEntry
    ) -> None:
        client.force_login(admin_user)
        assert client.get("/admin/core/auditentry/").status_code == 200
        assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200
        assert client.get("/admin/core/auditentry/add/").status_code == 403
        assert client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
        response = client.post(
            f"/admin/core/auditentry/{entry.pk}/change/", {"comment": "rewritten"}
        )
        assert response.status_code == 403
        response = client.post(
            "/admin/core/auditentry/",
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert AuditEntry.objects.get(pk=entry.pk).comment == "Ready for review."


@pytest.mark.django_db
def test_timeline_partial_shows_each_transition(entry: AuditEntry, admin_user: Any) -> None:
    scenario = entry.subject
    record_transition(
        scenario,
        transition="start_review",
        source="submitted",
        target="in_review",
        actor=admin_user,
        as_delegate=True,
    )
    html = render_to_string("core/_timeline.html", {"entries": history_for(scenario)})
    assert "Start review" in html
    assert "as delegate" in html
    assert "Ready for review." in html
    assert html.index("Submit for review") < html.index("Start review")
    # States read as their labels, never as codes.
    assert 'Submitted</span> → <span class="state state-in_review">In review</span>' in html
    assert ">in_review<" not in html


@pytest.mark.postgres
@pytest.mark.django_db
class TestDatabaseTrigger:
    """Raw SQL meets the triggers (the full list: tests/core/test_audit_chain.py)."""

    def test_raw_update_fails(self, entry: AuditEntry) -> None:
        table = AuditEntry._meta.db_table
        with (
            pytest.raises(DatabaseError, match="Cannot UPDATE core_auditentry"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET comment = 'rewritten' WHERE id = %s", [entry.pk])
        assert AuditEntry.objects.get(pk=entry.pk).comment == "Ready for review."

    def test_raw_delete_fails(self, entry: AuditEntry) -> None:
        table = AuditEntry._meta.db_table
        with (
            pytest.raises(DatabaseError, match="Cannot DELETE core_auditentry"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
