"""Admins auditing exceptions: filters, read-only decisions and history, CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from exceptions import exports, services
from exceptions.models import PlatformException
from portal.core.audit import history_for
from portal.core.models import AuditEntry
from tests.factories import UserFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
CHANGELIST = "/admin/exceptions/platformexception/"
UTC = dt.UTC
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Support answers",
        team=product_team,
        status="onboarded",
        product_owner=product_owner,
        complete=False,
    )


@pytest.fixture
def approved(scenario: Any, product_owner: Any, platform_reviewer: Any) -> PlatformException:
    exception = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, title="Gateway", **CASE
    )
    return services.exception_approve(
        exception.pk, actor=platform_reviewer, expires_on=days(20), comment="Until Q3."
    )


@pytest.fixture
def staff_auditor(db: Any) -> Any:
    """Staff with view rights on the admin, but not an admin of the portal."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="staff", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_platformexception", "view_auditentry"])
    )
    return user


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status__exact=approved",
        "kind__exact=outside_gateway",
        "expiry=7",
        "expiry=30",
        "expiry=expired",
        "q=gateway",
        "created_at__year=2026",
    ],
)
def test_changelist_filters_and_search(
    query: str, client: Any, admin_user: Any, approved: PlatformException
) -> None:
    client.force_login(admin_user)
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200


def test_changelist_filter_results(
    client: Any, admin_user: Any, scenario: Any, product_team: Any
) -> None:
    PlatformExceptionFactory(
        scenario=scenario, status=Status.APPROVED, expires_on=days(3), title="a"
    )
    PlatformExceptionFactory(
        scenario=scenario, status=Status.APPROVED, expires_on=days(25), title="b"
    )
    PlatformExceptionFactory(
        scenario=scenario, status=Status.APPROVED, expires_on=days(0), title="c"
    )
    PlatformExceptionFactory(
        scenario=scenario, status=Status.EXPIRED, expires_on=days(-5), title="d"
    )
    PlatformExceptionFactory(status=Status.REQUESTED, title="e")
    client.force_login(admin_user)

    def shown(query: str) -> set[str]:
        response = client.get(f"{CHANGELIST}?{query}")
        return {e.title for e in response.context["cl"].result_list}

    assert shown("expiry=7") == {"a"}
    assert shown("expiry=30") == {"a", "b"}
    assert shown("expiry=expired") == {"c", "d"}
    assert shown(f"scenario__id__exact={scenario.pk}") == {"a", "b", "c", "d"}
    assert shown(f"team__id__exact={product_team.pk}") == {"a", "b", "c", "d"}


@pytest.mark.parametrize("size", [2, 12])
def test_changelist_query_count_does_not_grow(
    size: int, client: Any, admin_user: Any, scenario: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(size):
        PlatformExceptionFactory(scenario=scenario, status=Status.APPROVED, expires_on=days(9))
    client.force_login(admin_user)
    client.get(CHANGELIST)
    # The session and the user come from the cache, all but the password hash, which the
    # admin's "Change password" link reads (one query).
    with django_assert_num_queries(9):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == size


def test_decided_exception_is_read_only_in_admin(
    client: Any, admin_user: Any, approved: PlatformException
) -> None:
    client.force_login(admin_user)
    url = f"{CHANGELIST}{approved.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="expires_on"' not in html and 'name="_save"' not in html
    # The history inline is shown, read-only.
    assert (
        "approve" in html and 'name="core-auditentry-content_type-object_id-0-comment"' not in html
    )
    response = client.post(
        url,
        {"title": "rewritten", "expires_on": days(170).isoformat(), "decision_comment": "x"},
    )
    assert response.status_code == 403
    approved.refresh_from_db()
    assert (approved.title, approved.expires_on, approved.decision_comment) == (
        "Gateway",
        days(20),
        "Until Q3.",
    )


def test_undecided_exception_wording_only(
    client: Any, admin_user: Any, scenario: Any, product_owner: Any
) -> None:
    exception = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, title="Typo", **CASE
    )
    client.force_login(admin_user)
    url = f"{CHANGELIST}{exception.pk}/change/"
    data = {
        "title": "Fixed",
        "other_description": "",
        "justification": CASE["justification"],
        "risk": "low",
        "risk_reason": CASE["risk_reason"],
        "compensating_controls": CASE["compensating_controls"],
        "detection_note": "",
        "expires_on": days(170).isoformat(),
        "approver": str(admin_user.pk),
        "status": "approved",
        "core-auditentry-content_type-object_id-TOTAL_FORMS": "0",
        "core-auditentry-content_type-object_id-INITIAL_FORMS": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    exception.refresh_from_db()
    assert exception.title == "Fixed"
    assert (exception.status, exception.expires_on, exception.approver) == (
        Status.REQUESTED,
        None,
        None,
    )


def test_no_add_or_delete(client: Any, admin_user: Any, approved: PlatformException) -> None:
    client.force_login(admin_user)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{approved.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PlatformException.objects.filter(pk=approved.pk).exists()


def test_audit_rows_are_not_editable_or_deletable(
    client: Any, admin_user: Any, approved: PlatformException
) -> None:
    entry = history_for(approved).last()
    client.force_login(admin_user)
    url = f"/admin/core/auditentry/{entry.pk}/change/"
    assert client.get(url).status_code == 200  # viewable
    assert client.post(url, {"comment": "rewritten"}).status_code == 403
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.comment == "Until Q3."
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.fixture
def known_data_set(
    scenario: Any, product_owner: Any, platform_reviewer: Any
) -> tuple[PlatformException, PlatformException]:
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=UTC), tick=False):
        first = services.exception_request(
            actor=product_owner,
            kind="outside_gateway",
            scenario=scenario,
            title="=Bypass while relabelling",
            **CASE,
        )
    with time_machine.travel(dt.datetime(2026, 2, 3, 10, 30, tzinfo=UTC), tick=False):
        services.exception_approve(
            first.pk,
            actor=platform_reviewer,
            expires_on=dt.date(2026, 3, 5),
            comment="Until March.",
        )
    with time_machine.travel(dt.datetime(2026, 2, 4, 8, 0, tzinfo=UTC), tick=False):
        second = services.exception_detect(
            actor=platform_reviewer, kind="provider_keys", team=scenario.team, detection_note="Key."
        )
    return first, second


def _read(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_export_action_writes_selected_exceptions_with_history(
    client: Any,
    admin_user: Any,
    known_data_set: tuple[PlatformException, PlatformException],
    product_owner: Any,
) -> None:
    first, second = known_data_set
    PlatformExceptionFactory(title="not selected")
    client.force_login(admin_user)
    response = client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _read(response.content)
    assert header == exports.HEADER
    assert len(rows) == 3  # request + approve, then detect
    col = {name: i for i, name in enumerate(header)}
    pick = ["exception_id", "title", "kind", "status", "requester", "approver", "expires_on"]
    pick += ["decision_comment", "entry_at", "transition", "source", "target", "actor", "comment"]
    assert [[row[col[name]] for name in pick] for row in rows] == [
        [str(first.pk), "'=Bypass while relabelling", "outside_gateway", "approved", "po",
         "reviewer", "2026-03-05", "Until March.", "2026-02-02T09:00:00+00:00", "request", "",
         "requested", "po", ""],
        [str(first.pk), "'=Bypass while relabelling", "outside_gateway", "approved", "po",
         "reviewer", "2026-03-05", "Until March.", "2026-02-03T10:30:00+00:00", "approve",
         "requested", "approved", "reviewer", "Until March."],
        [str(second.pk), "Product team holds provider keys directly: Support AI",
         "provider_keys", "detected", "", "", "", "", "2026-02-04T08:00:00+00:00", "detect",
         "", "detected", "reviewer", "Key."],
    ]  # fmt: skip
    assert rows[0][col["scenario"]] == "Support answers" and rows[2][col["scenario"]] == ""
    assert rows[2][col["team"]] == "Support AI"


def test_an_exception_without_history_still_gets_a_row(db: Any) -> None:
    bare = PlatformExceptionFactory(title="bare")
    [row] = list(exports.rows(PlatformException.objects.filter(pk=bare.pk)))
    assert row[1] == "bare" and row[-len(exports.HISTORY_COLUMNS) :] == [""] * 7


def test_export_needs_the_admin_role(client: Any, staff_auditor: Any, known_data_set: Any) -> None:
    first, _ = known_data_set
    client.force_login(staff_auditor)
    assert client.get(CHANGELIST).status_code == 200
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [first.pk]})
    assert response.status_code == 403
    assert (
        client.get("/admin/core/auditentry/export/?start=2026-02-01&end=2026-02-28").status_code
        == 403
    )


def test_audit_trail_export_for_a_date_range(
    client: Any, admin_user: Any, known_data_set: tuple[PlatformException, PlatformException]
) -> None:
    first, second = known_data_set
    client.force_login(admin_user)
    form = client.get("/admin/core/auditentry/export/")
    assert form.status_code == 200 and 'name="start"' in form.content.decode()
    assert "Export CSV for a date range" in client.get("/admin/core/auditentry/").content.decode()
    response = client.get("/admin/core/auditentry/export/?start=2026-02-03&end=2026-02-04")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _read(b"".join(response.streaming_content))
    assert header == [
        "id", "created_at", "object_type", "object_id", "object", "transition", "source",
        "target", "actor", "as_delegate", "comment", "request_id",
    ]  # fmt: skip
    assert [(r[1], r[2], r[3], r[5], r[8], r[10]) for r in rows] == [
        ("2026-02-03T10:30:00+00:00", "exceptions.platformexception", str(first.pk), "approve",
         "reviewer", "Until March."),
        ("2026-02-04T08:00:00+00:00", "exceptions.platformexception", str(second.pk), "detect",
         "reviewer", "Key."),
    ]  # fmt: skip
    one_day = client.get("/admin/core/auditentry/export/?start=2026-02-02&end=2026-02-02")
    assert len(_read(b"".join(one_day.streaming_content))) == 2
    backwards = client.get("/admin/core/auditentry/export/?start=2026-02-05&end=2026-02-01")
    assert backwards.status_code == 400 and "must not be after" in backwards.content.decode()


def test_audit_export_sign_in_required(client: Any) -> None:
    response = client.get("/admin/core/auditentry/export/?start=2026-02-01&end=2026-02-02")
    assert response.status_code == 302 and "login" in response["Location"]


def test_system_actor_and_content_type_in_export(
    approved: PlatformException, admin_user: Any, client: Any
) -> None:
    PlatformException.objects.filter(pk=approved.pk).update(expires_on=days(0))
    services.expire_due()
    client.force_login(admin_user)
    today = timezone.localdate().isoformat()
    response = client.get(f"/admin/core/auditentry/export/?start={today}&end={today}")
    rows = _read(b"".join(response.streaming_content))
    assert rows[-1][5] == "expire" and rows[-1][8] == "system"
    assert (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(PlatformException)
        ).count()
        == len(rows) - 1
    )
