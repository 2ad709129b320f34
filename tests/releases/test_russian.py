"""The release pages, messages and emails in Russian (Accept-Language: ru)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.notifications import render_email
from releases import services
from releases.models import EvalReading, Release
from tests.factories import TeamFactory, UserFactory
from tests.releases.factories import ReleaseFactory
from tests.russian import RussianReader, latin_words, main_text
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db
# Parts of the release page drawn by the core's partials, translated with the core.
CORE_PARTS = ("timeline", "reminders", "actions")


def _person(username: str, first: str, team: Any, *role: str) -> Any:
    return UserFactory(username=username, first_name=first, roles=list(role), teams=[team])


@pytest.fixture
def team() -> Any:
    return TeamFactory(name="Поддержка", slug="podderzhka")


@pytest.fixture
def release(team: Any) -> Release:
    scenario = ScenarioFactory(
        name="Ответы поддержки",
        status="onboarded",
        team=team,
        product_owner=_person("ru-po", "Полина", team, roles.PRODUCT_OWNER),
        quality_owner=_person("ru-quality", "Кира", team, roles.QUALITY_OWNER),
        cost_owner=_person("ru-cost", "Семён", team, roles.COST_OWNER),
        platform_owner=_person("ru-platform", "Олег", team, roles.PLATFORM_REVIEWER),
    )
    return ReleaseFactory(
        status="submitted",
        scenario=scenario,
        title="Новая модель ответов",
        changelog="Плановое обновление модели.",
        author=_person("ru-author", "Анна", team),
    )


def _data(release: Release) -> list[str]:
    """What the page shows of the release as it was typed: names of models, runs and aliases."""
    return [
        release.model_name, release.model_version, release.alias_name, release.prompt_family,
        release.prompt_version, release.runtime, release.eval_run_ref, release.eval_dataset,
    ]  # fmt: skip


def test_the_release_page_speaks_russian(release: Release) -> None:
    body = RussianReader(release.scenario.quality_owner).get(release.get_absolute_url())

    html = body.content.decode()
    assert body.status_code == 200
    assert '<h2 id="signoffs-heading">Подписи</h2>' in html
    assert "Что меняется" in html and "Ваша подпись «качество»" in html
    text = main_text(html, skip=CORE_PARTS)
    assert latin_words(text, *_data(release)) == set()


def test_the_list_and_the_buttons_speak_russian(release: Release) -> None:
    author = RussianReader(release.author)
    html = author.get("/releases/").content.decode()
    assert "<h1>Релизы</h1>" in html
    assert latin_words(main_text(html), *_data(release)) == set()

    draft = ReleaseFactory(status="draft", scenario=release.scenario, author=release.author)
    page = author.get(draft.get_absolute_url()).content.decode()
    assert ">Отправить на подписание</button>" in page


def test_a_refused_sign_off_is_explained_in_russian(release: Release) -> None:
    quality = RussianReader(release.scenario.quality_owner)

    response = quality.post(
        f"/releases/{release.pk}/sign-off/quality/", {"decision": "reject"}, follow=True
    )

    html = response.content.decode()
    assert "Укажите причину отклонения." in html
    assert "Give a reason" not in html


def test_the_submitted_email_is_russian(release: Release) -> None:
    context = {"release": release, "scenario": release.scenario, "url": "https://portal/r/1/"}
    with translation.override("ru"):
        subject, text, html = render_email(
            "release_submitted", {**context, "inbox_url": "https://portal/inbox/"}
        )

    assert subject.startswith("Нужна подпись: Новая модель ответов")
    assert "Что сделать: откройте релиз" in text
    assert "на подписание по качеству и стоимости" in html
    assert latin_words(text, *_data(release), "https://portal/r/1/ https://portal/inbox/") == set()


def test_an_eval_read_refuses_in_russian_and_is_kept_in_english(
    release: Release, settings: Any
) -> None:
    down = "http://127.0.0.1:0"  # no server listens on port 0: every connection is refused
    settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "MLFLOW_URL": down, "REQUIRED": True}
    draft = ReleaseFactory(
        status="draft", scenario=release.scenario, author=release.author, eval_run_ref="a" * 32
    )

    with translation.override("ru"), pytest.raises(TransitionConflict, match="недоступен"):
        services.release_submit(draft.pk, actor=release.author)
    settings.EVAL_EVIDENCE = {**settings.EVAL_EVIDENCE, "REQUIRED": False}
    with translation.override("ru"):
        services.release_submit(draft.pk, actor=release.author)

    reading = EvalReading.objects.get(release=draft)
    assert reading.error.startswith(f"The eval server {down} could not be reached")


def test_a_form_error_of_the_service_is_russian(release: Release) -> None:
    release.scenario.cost_owner = None
    release.scenario.save(update_fields=["cost_owner"])
    draft = ReleaseFactory(status="draft", scenario=release.scenario, author=release.author)

    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        services.release_submit(draft.pk, actor=release.author)

    assert refused.value.messages == ["До подписания сценарию нужен владелец стоимости."]
