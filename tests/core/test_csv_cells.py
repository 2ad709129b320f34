"""Every CSV export goes through one writer that keeps spreadsheets from running cells as
formulas, whatever the column; and request ids from outside are accepted only in a safe shape."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client

from exceptions import exports
from exceptions.models import PlatformException
from portal.core.audit import record_transition
from portal.core.csv_writer import neutralise
from portal.core.middleware import _request_id
from tests.scenarios.factories import PlatformExceptionFactory

FORMULAS = ["=1+1", "+1+1", "-A1-B1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_quoted(text: str) -> None:
    assert neutralise(text) == f"'{text}"


@pytest.mark.parametrize("text", ["", "plain", "2026-02-03T10:30:00+00:00", "-0.25", "-12", "12"])
def test_text_and_numbers_stay_as_they_are(text: str) -> None:
    assert neutralise(text) == text


def test_none_is_an_empty_cell() -> None:
    assert neutralise(None) == ""


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


@pytest.mark.django_db
def test_audit_export_neutralises_every_column(client: Client, admin_user: Any) -> None:
    exception = PlatformExceptionFactory(title="=cmd|' /C calc'!A0")
    token = _request_id.set("-A1-B1")
    try:
        with time_machine.travel(dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)):
            record_transition(
                exception, transition="+approve", source="@x", target="-y", actor=None,
                comment="=2*3",
            )  # fmt: skip
    finally:
        _request_id.reset(token)
    client.force_login(admin_user)
    response = client.get("/admin/core/auditentry/export/?start=2026-02-03&end=2026-02-03")
    [_, row] = _rows(b"".join(response.streaming_content))
    assert row[4:8] == ["'=cmd|' /C calc'!A0", "'+approve", "'@x", "'-y"]
    assert row[10:] == ["'=2*3", "'-A1-B1"]


@pytest.mark.django_db
def test_exceptions_export_neutralises_every_column(admin_user: Any) -> None:
    PlatformExceptionFactory(title="-2+3", justification="@SUM(1)")
    out = io.StringIO()
    exports.write(out, exports.rows(PlatformException.objects.all()))
    header, row = _rows(out.getvalue().encode())
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == "'-2+3" and cells["justification"] == "'@SUM(1)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["-A1-B1", "=1+1", "+1", "@x", "a b", "x" * 65, "é", "id\nX-Evil: 1"]
)
def test_unsafe_request_ids_are_replaced(client: Client, incoming: str) -> None:
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert answered != incoming
    assert len(answered) == 32 and answered.isalnum()


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["abc-123", "A.b_c-9", "x" * 64, "7f3c2a"])
def test_safe_request_ids_are_kept(client: Client, incoming: str) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming
