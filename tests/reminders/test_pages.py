"""What people see: the reminders partial on object pages, and the admin with its filters."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from portal.reminders.models import Reminder
from portal.reminders.selectors import reminders_for
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0, sweep_at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)


@pytest.fixture
def release(cast: SimpleNamespace) -> Any:
    release = ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    for n in range(3):  # two rounds each, then the first escalation level
        sweep_at(T0 + DAY + n * DAY)
    return release


def test_the_partial_lists_the_reminders_about_one_object(release: Any) -> None:
    html = render_to_string("reminders/_for_object.html", {"reminders": reminders_for(release)})
    assert html.count("<tr>") == 1 + 6
    assert "Quality sign-off" in html and "Cost sign-off" in html
    assert "(escalation level 1)" in html
    assert "Level1" in html


def test_the_partial_says_when_nothing_was_reminded(cast: SimpleNamespace) -> None:
    html = render_to_string(
        "reminders/_for_object.html", {"reminders": reminders_for(cast.scenario)}
    )
    assert "No reminders yet" in html


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_selector_is_one_query_however_many_reminders(
    cast: SimpleNamespace, rounds: int, django_assert_num_queries: Any
) -> None:
    release = ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    for n in range(rounds):
        sweep_at(T0 + DAY + n * DAY)
    reminders_for(release).first()  # content type cache
    with django_assert_num_queries(1):
        html = render_to_string("reminders/_for_object.html", {"reminders": reminders_for(release)})
    assert html.count("<tr>") == 1 + 2 * rounds


def test_admins_filter_reminders_and_send_failed_ones_again(
    client: Any, admin_user: Any, release: Any
) -> None:
    Reminder.objects.filter(level=1).update(status="failed", last_error="SMTP: relay went away")
    client.force_login(admin_user)
    url = reverse("admin:reminders_reminder_changelist")

    page = client.get(
        url, {"status": "failed", "reason": "release_cost_signoff", "escalated": "yes"}
    )
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1

    failed = list(Reminder.objects.filter(status="failed").values_list("pk", flat=True))
    response = client.post(
        url, {"action": "send_again", "_selected_action": failed, "index": 0}, follow=True
    )
    assert response.status_code == 200
    assert set(Reminder.objects.filter(pk__in=failed).values_list("status", flat=True)) == {
        "pending"
    }

    detail = client.get(reverse("admin:reminders_reminder_change", args=[failed[0]]))
    assert detail.status_code == 200
    assert b"relay went away" not in detail.content  # cleared by the retry
    assert f'href="/releases/{release.pk}/"'.encode() in detail.content
    assert client.get(reverse("admin:reminders_reminder_add")).status_code == 403


def test_the_release_page_shows_its_reminders(
    release: Any, cast: SimpleNamespace, client: Any
) -> None:
    client.force_login(cast.scenario.quality_owner)
    body = client.get(release.get_absolute_url()).content.decode()
    assert 'id="reminders-heading"' in body
    assert "(escalation level 1)" in body


@pytest.mark.parametrize("path", ["/scenarios/{s}/", "/incidents/{i}/", "/exceptions/{e}/"])
def test_every_object_page_has_a_reminders_section(
    path: str, cast: SimpleNamespace, client: Any
) -> None:
    from tests.incidents.factories import IncidentFactory
    from tests.scenarios.factories import PlatformExceptionFactory

    incident = IncidentFactory(scenario=cast.scenario)
    exception = PlatformExceptionFactory(scenario=cast.scenario)
    client.force_login(cast.scenario.product_owner)
    url = path.format(s=cast.scenario.pk, i=incident.pk, e=exception.pk)
    body = client.get(url).content.decode()
    assert 'id="reminders-heading"' in body
