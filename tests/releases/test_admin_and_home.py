"""Admin is read-only except the release policy; the home page shows sign-offs owed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from releases import selectors, services
from releases.models import ModelAlias, ReleasePolicy

pytestmark = pytest.mark.django_db


def _admin(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_model_aliases_cannot_be_edited_in_admin(
    make_release: Any, platform_owner: Any, admin_user: Any
) -> None:
    release = make_release("rolling_out")
    services.release_release(release.pk, actor=platform_owner)
    alias = ModelAlias.objects.get()
    client = _admin(admin_user)

    assert client.get(f"/admin/releases/modelalias/{alias.pk}/change/").status_code == 200
    response = client.post(f"/admin/releases/modelalias/{alias.pk}/change/", {"name": "hijacked"})
    assert response.status_code == 403
    assert client.get("/admin/releases/modelalias/add/").status_code == 403
    alias.refresh_from_db()
    assert alias.name != "hijacked"


def test_release_policy_is_editable_by_admins(admin_user: Any) -> None:
    policy = ReleasePolicy.current()
    response = _admin(admin_user).post(
        f"/admin/releases/releasepolicy/{policy.pk}/change/", {"fast_path_enabled": ""}
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.fast_path_enabled is False


def test_home_page_counts_sign_offs_owed(
    make_release: Any, quality_owner: Any, author: Any
) -> None:
    make_release("submitted")
    make_release("rejected")
    work = selectors.work_for(quality_owner)
    assert work["release_signoffs"]["count"] == 1
    assert selectors.work_for(author)["releases_to_revise"]["count"] == 1
    client = Client()
    client.force_login(quality_owner)
    assert "Release sign-offs waiting for you" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_fast_path_toggle_in_the_admin_is_audited(admin_user: Any) -> None:
    from django.test import Client

    from portal.core.models import AuditEntry
    from releases.models import ReleasePolicy

    ReleasePolicy.current()
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/releases/releasepolicy/1/change/", {})
    assert response.status_code == 302
    assert ReleasePolicy.current().fast_path_enabled is False
    entry = AuditEntry.objects.get(transition="fast_path_toggled")
    assert (entry.source, entry.target, entry.actor) == ("on", "off", admin_user)


@pytest.mark.django_db
def test_only_admins_change_the_release_policy(product_owner: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from releases import services

    with pytest.raises(PermissionDenied):
        services.release_policy_update(actor=product_owner, fast_path_enabled=False)
