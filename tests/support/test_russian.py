"""Support in Russian: the request list and page, a refused answer, and the answer's email."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from portal.core.notifications import render_email
from tests.russian import RussianReader
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db


def test_the_request_list_is_inRussianReader(platform_reviewer: Any) -> None:
    SupportRequestFactory(title="Which gateway key?", category="tooling")
    html = RussianReader(platform_reviewer).get("/support/").content.decode()
    assert "<h1>Запросы в поддержку</h1>" in html and "Очередь платформы" in html
    assert "Инструменты" in html and "Открыт" in html  # category and state labels
    for english in (
        "Support requests", "Ask the platform", "Platform queue", "Questions product teams",
        "Only mine", "Asked by", "Opened (UTC)", ">Tooling<", ">Open<",
    ):  # fmt: skip
        assert english not in html, english


def test_the_request_page_is_inRussianReader(platform_reviewer: Any) -> None:
    request = SupportRequestFactory(title="Which gateway key?")
    html = RussianReader(platform_reviewer).get(request.get_absolute_url()).content.decode()
    assert "Обсуждение" in html and "Ответов пока нет." in html and "Отправить ответ" in html
    for english in ("Thread", "No replies yet", "First answer", "not yet", "Add a comment"):
        assert english not in html, english


def test_an_empty_answer_is_refused_inRussianReader(platform_reviewer: Any) -> None:
    request = SupportRequestFactory()
    page = RussianReader(platform_reviewer).post(
        f"{request.get_absolute_url()}answer/", {"body": "  "}, follow=True
    )
    html = page.content.decode()
    assert "Напишите ответ." in html and "Write the answer." not in html


def test_the_answer_email_is_inRussianReader(platform_reviewer: Any) -> None:
    request = SupportRequestFactory(title="Which gateway key?")
    context = {"request": request, "answer": "Use the platform's key.", "by": platform_reviewer,
               "url": f"http://testserver{request.get_absolute_url()}"}  # fmt: skip
    with translation.override("ru"):
        subject, text, html = render_email("support_answered", context)
    assert subject == "Платформа ответила на ваш запрос в поддержку: Which gateway key?"
    assert f"{platform_reviewer} ответил(а) на ваш запрос в поддержку «Which gateway key?»:" in text
    for body in (text, html):
        assert f"Здравствуйте, {request.requester}!" in body and "Что сделать:" in body
        assert "Hello" not in body and "What to do" not in body and "answered your" not in body
