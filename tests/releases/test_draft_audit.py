"""Creating and deleting a draft release leave audit rows, like every other write."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.core.audit import history_for, verify_chain
from portal.core.models import AuditEntry
from releases import services
from releases.models import Release

pytestmark = pytest.mark.django_db


def test_creating_a_draft_is_audited(scenario: Any, author: Any) -> None:
    release = services.release_create(
        actor=author,
        scenario=scenario,
        data={"title": "Bump", "model_name": "m", "alias_name": "a"},
    )
    (entry,) = history_for(release)
    assert (entry.transition, entry.source, entry.target) == ("create", "", "draft")
    assert entry.actor == author
    assert verify_chain().intact


def test_deleting_a_draft_is_audited_and_outlives_it(make_release: Any, author: Any) -> None:
    release = make_release("draft", title="Throwaway")
    services.release_delete(release.pk, actor=author)
    assert not Release.objects.filter(pk=release.pk).exists()
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Release), object_id=str(release.pk)
    )
    assert (entry.transition, entry.source, entry.target) == ("delete", "draft", "deleted")
    assert entry.actor == author
    assert "Throwaway" in entry.object_repr


def test_a_refused_delete_writes_nothing(make_release: Any, other_product_owner: Any) -> None:
    release = make_release("draft")
    before = AuditEntry.objects.count()
    with pytest.raises(Exception, match="Only the scenario's team"):
        services.release_delete(release.pk, actor=other_product_owner)
    assert AuditEntry.objects.count() == before
