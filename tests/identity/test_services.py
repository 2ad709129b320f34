"""The identity services without the provider: who a set of verified claims is, and the group
mappings the admin edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from identity import services
from identity.models import ExternalIdentity, GroupMapping
from portal.core import roles
from portal.core.audit import history_for
from portal.core.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.com"


def claims(sub: str, **more: Any) -> dict[str, Any]:
    return {"sub": sub, **more}


def test_a_verified_email_links_the_existing_account() -> None:
    local = UserFactory(username="ivan", email="Ivan@Example.com")
    signed_in = services.identity_sign_in(
        claims("s-1", email="ivan@example.com", email_verified=True), issuer=ISSUER
    )
    assert signed_in == local
    assert ExternalIdentity.objects.get(subject="s-1").user == local
    assert User.objects.count() == 1
    link = history_for(local).get(transition="link")
    assert link.actor is None and "verified email" in link.comment


def test_an_unverified_email_links_nothing() -> None:
    local = UserFactory(username="judy", email="judy@example.com")
    signed_in = services.identity_sign_in(
        claims("s-2", email="judy@example.com", email_verified=False, preferred_username="judy"),
        issuer=ISSUER,
    )
    assert signed_in != local
    assert signed_in.username == "judy-2"


def test_the_subject_not_the_email_recognises_a_returning_person() -> None:
    first = services.identity_sign_in(
        claims("s-3", email="old@example.com", preferred_username="kim"), issuer=ISSUER
    )
    again = services.identity_sign_in(
        claims("s-3", email="new@example.com", preferred_username="kim"), issuer=ISSUER
    )
    assert again == first
    again.refresh_from_db()
    assert again.email == "new@example.com"
    assert history_for(again).get(transition="profile_update").comment.startswith("email")
    other_issuer = services.identity_sign_in(claims("s-3"), issuer="https://other.example.com")
    assert other_issuer != first


def test_a_single_group_string_counts_as_one_group() -> None:
    GroupMapping.objects.create(group="ops", role=roles.INCIDENT_OWNER)
    user = services.identity_sign_in(claims("s-4", groups="ops"), issuer=ISSUER)
    assert list(user.groups.values_list("name", flat=True)) == [roles.INCIDENT_OWNER]


def test_mapping_changes_in_the_admin_are_audited(
    client: Client, admin_user: Any, product_team: Any
) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/admin/identity/groupmapping/add/", {"group": "ai-platform", "role": roles.ADMIN}
    )
    assert response.status_code == 302
    mapping = GroupMapping.objects.get()
    assert [e.transition for e in history_for(mapping)] == ["create"]
    for invalid in ({"role": roles.ADMIN, "team": product_team.pk}, {"role": ""}):
        refused = client.post("/admin/identity/groupmapping/add/", {"group": "y", **invalid})
        assert refused.status_code == 200
        assert "exactly one role or one team" in refused.content.decode()
    assert GroupMapping.objects.count() == 1
    client.post(f"/admin/identity/groupmapping/{mapping.pk}/delete/", {"post": "yes"})
    assert not GroupMapping.objects.filter(pk=mapping.pk).exists()
    assert history_for(mapping).filter(transition="delete", actor=admin_user).exists()


def test_only_admins_and_the_provider_deactivate_people(
    admin_user: Any, platform_reviewer: Any
) -> None:
    carla = UserFactory(username="carla")
    with pytest.raises(PermissionDenied):
        services.user_deactivate(carla.pk, actor=platform_reviewer, via="in a test")
    carla.refresh_from_db()
    assert carla.is_active and not history_for(carla).filter(transition="deactivate").exists()
    services.user_deactivate(carla.pk, actor=None, via="by the identity provider (SCIM)")
    with pytest.raises(PermissionDenied):
        services.user_reactivate(carla.pk, actor=platform_reviewer, via="in a test")
    services.user_reactivate(carla.pk, actor=admin_user, via="in the admin")
    carla.refresh_from_db()
    assert carla.is_active
    rows = history_for(carla).filter(transition__in=["deactivate", "reactivate"])
    assert [(e.transition, e.actor) for e in rows] == [
        ("deactivate", None),
        ("reactivate", admin_user),
    ]


def test_only_admins_map_groups(admin_user: Any, platform_reviewer: Any) -> None:
    mapping = GroupMapping(group="ops", role=roles.INCIDENT_OWNER)
    with pytest.raises(PermissionDenied):
        services.mapping_save(mapping, actor=platform_reviewer, created=True)
    assert not GroupMapping.objects.exists()
    services.mapping_save(mapping, actor=admin_user, created=True)
    with pytest.raises(PermissionDenied):
        services.mapping_delete(mapping, actor=platform_reviewer)
    assert GroupMapping.objects.filter(pk=mapping.pk).exists()
    assert [e.transition for e in history_for(mapping)] == ["create"]
