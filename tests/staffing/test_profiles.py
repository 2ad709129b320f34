"""Hiring profiles: the flagging rule, versioning, audit, permissions and the Markdown export."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from staffing import policies, selectors, services
from staffing.export import profile_markdown
from staffing.models import REQUIRED_SKILL_AREAS, HiringProfile, Role
from tests.factories import TeamFactory
from tests.staffing.conftest import DEVEX, EVAL, PLATFORM

pytestmark = pytest.mark.django_db


def _profile(actor: Any, role: str, skills: list[dict[str, Any]], **kwargs: Any) -> Any:
    return services.profile_create(actor=actor, role=role, title=f"{role} profile",
                                   skills=skills, **kwargs)  # fmt: skip


# role, skills, expected missing areas (labels)
FLAG_CASES = [
    ("ai_platform_engineer", [PLATFORM], ["Platform DevEx", "Evaluation"]),
    ("ai_platform_engineer", [PLATFORM, EVAL], ["Platform DevEx"]),
    ("ai_platform_engineer", [PLATFORM, EVAL, DEVEX], []),
    ("evaluation_engineer", [DEVEX], ["Evaluation"]),
    ("quality_owner", [], ["Evaluation"]),
    ("quality_owner", [EVAL], []),
    ("cost_owner", [], []),  # no rule asks a cost owner for evaluation or DevEx skills
    ("incident_owner", [PLATFORM], []),
]


@pytest.mark.parametrize(("role", "skills", "missing"), FLAG_CASES)
def test_flagging_rule_on_the_page_and_in_the_list_agree(
    platform_reviewer: Any, role: str, skills: list[dict[str, Any]], missing: list[str]
) -> None:
    profile = _profile(platform_reviewer, role, skills)
    assert sorted(profile.missing_areas()) == sorted(missing)
    flagged = HiringProfile.objects.flagged().filter(pk=profile.pk).exists()
    assert flagged is bool(missing)


def test_every_required_area_rule_names_known_roles() -> None:
    assert set(REQUIRED_SKILL_AREAS) <= set(Role.values)
    assert Role.EVALUATION_ENGINEER in REQUIRED_SKILL_AREAS


def test_create_is_a_draft_version_one_with_an_audit_row(draft_profile: Any) -> None:
    assert (draft_profile.status, draft_profile.version) == ("draft", 1)
    assert draft_profile.skills.count() == 3
    row = history_for(draft_profile).get()
    assert (row.transition, row.source, row.target) == ("create", "", "draft")
    assert row.actor.username == "reviewer"


def test_editing_a_draft_changes_it_in_place_audited(
    draft_profile: Any, platform_reviewer: Any
) -> None:
    edited = services.profile_edit(
        draft_profile.pk, actor=platform_reviewer, title="Senior AI platform engineer",
        skills=[EVAL],
    )  # fmt: skip
    assert edited.pk == draft_profile.pk
    assert edited.title == "Senior AI platform engineer"
    assert [s.name for s in edited.skills.all()] == [EVAL["name"]]
    assert [r.transition for r in history_for(edited).order_by("seq")] == ["create", "edit"]


def test_a_published_version_never_changes_editing_makes_the_next_draft(
    published_profile: Any, platform_reviewer: Any
) -> None:
    draft = services.profile_edit(
        published_profile.pk, actor=platform_reviewer, title="AI platform engineer II",
        summary="New summary", skills=[PLATFORM],
    )  # fmt: skip
    published_profile.refresh_from_db()
    assert published_profile.title == "AI platform engineer"
    assert published_profile.skills.count() == 3
    assert published_profile.status == "published"
    assert (draft.version, draft.status, draft.title) == (2, "draft", "AI platform engineer II")
    assert history_for(draft).get().transition == "new_version"

    services.profile_publish(draft.pk, actor=platform_reviewer)
    published_profile.refresh_from_db()
    draft.refresh_from_db()
    assert (published_profile.status, draft.status) == ("superseded", "published")
    assert list(HiringProfile.objects.published().values_list("version", flat=True)) == [2]
    assert history_for(published_profile).order_by("seq").last().transition == "supersede"


def test_editing_an_old_version_when_a_newer_exists_is_refused(
    published_profile: Any, platform_reviewer: Any
) -> None:
    services.profile_edit(published_profile.pk, actor=platform_reviewer, title="v2")
    with pytest.raises(TransitionConflict, match="Version 2"):
        services.profile_edit(published_profile.pk, actor=platform_reviewer, title="v3")
    assert HiringProfile.objects.count() == 2


def test_publishing_twice_is_a_conflict(published_profile: Any, platform_reviewer: Any) -> None:
    with pytest.raises(TransitionConflict):
        services.profile_publish(published_profile.pk, actor=platform_reviewer)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"skills": [{"area": "nonsense", "level": 2, "name": "x"}]}, "skills"),
        ({"skills": [{"area": "evaluation", "level": 9, "name": "x"}]}, "skills"),
        ({"skills": [{"area": "evaluation", "level": 2, "name": ""}]}, "skills"),
        ({"role": "astronaut"}, "role"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    platform_reviewer: Any, kwargs: dict[str, Any], field: str
) -> None:
    args = {"role": "cost_owner", "title": "Cost owner", **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.profile_create(actor=platform_reviewer, **args)
    assert field in caught.value.message_dict
    assert HiringProfile.objects.count() == 0


def test_a_second_profile_for_the_same_role_is_refused(
    draft_profile: Any, platform_reviewer: Any
) -> None:
    with pytest.raises(ValidationError, match="edit it instead"):
        _profile(platform_reviewer, "ai_platform_engineer", [])


PEOPLE = ["platform_reviewer", "admin_user", "product_owner", "quality_owner", "outsider"]
MAY_WRITE = {"platform_reviewer"}


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_create_edit_and_publish(
    request: pytest.FixtureRequest, draft_profile: Any, who: str
) -> None:
    person = request.getfixturevalue(who)
    allowed = who in MAY_WRITE
    assert policies.can_edit_profiles(person) is allowed
    assert policies.can_publish(person, draft_profile) is allowed
    if allowed:
        services.profile_publish(draft_profile.pk, actor=person)
        return
    with pytest.raises(PermissionDenied):
        _profile(person, "cost_owner", [])
    with pytest.raises(PermissionDenied):
        services.profile_edit(draft_profile.pk, actor=person, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.profile_publish(draft_profile.pk, actor=person)
    draft_profile.refresh_from_db()
    assert (draft_profile.status, draft_profile.title) == ("draft", "AI platform engineer")


def test_a_team_sees_its_own_and_the_published_profiles(
    platform_reviewer: Any, product_owner: Any, other_product_owner: Any, product_team: Any,
    outsider: Any, admin_user: Any,
) -> None:  # fmt: skip
    drafted = _profile(platform_reviewer, "cost_owner", [])
    published = services.profile_publish(drafted.pk, actor=platform_reviewer)
    platform_draft = _profile(platform_reviewer, "incident_owner", [])
    own = _profile(platform_reviewer, "quality_owner", [EVAL], team=product_team)
    expected = {
        platform_reviewer: {published, platform_draft, own},
        admin_user: {published, platform_draft, own},
        product_owner: {published, own},
        other_product_owner: {published},
        outsider: {published},
    }
    for person, visible in expected.items():
        assert set(selectors.visible_profiles(person)) == visible
        for profile in (published, platform_draft, own):
            assert policies.can_view_profile(person, profile) is (profile in visible)


def test_markdown_export_escapes_every_user_value(platform_reviewer: Any) -> None:
    team = TeamFactory(name="Team <b>|x|</b>", kind="product")
    profile = services.profile_create(
        actor=platform_reviewer, role="quality_owner", title="# Quality *owner* [x](http://e.vil)",
        summary="Line one\nLine | two <script>", team=team,
        skills=[{"area": "product", "level": 3, "name": "Tables | pipes _and_ `code`"}],
    )  # fmt: skip
    text = profile_markdown(profile)
    assert text.startswith("# \\# Quality \\*owner\\* \\[x\\]\\(http://e.vil\\)\n")
    assert "Line one<br>Line \\| two &lt;script&gt;" in text
    assert "| Product | Tables \\| pipes \\_and\\_ \\`code\\` | Practitioner |" in text
    assert "Team &lt;b&gt;\\|x\\|&lt;/b&gt;" in text
    assert "<script>" not in text
    assert "Missing for this role: Evaluation." in text
