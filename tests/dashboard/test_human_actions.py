"""Human actions per prompt release, on hand-computed data: the audit rows with a person as
actor of each prompt-only release released in the window, from its creation to its release."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from dashboard import metrics
from dashboard.windows import Window
from portal.core.audit import record_transition
from tests.dashboard.conftest import NOW, at
from tests.factories import TeamFactory, UserFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.django_db]


def _release(frozen: Any, team: Any, released: dt.datetime | None, humans: int, **kw: Any) -> Any:
    """A release with `humans` audit rows by people before `released`, two system rows, and
    one human row after its release (not counted)."""
    kw.setdefault("change_type", "prompt_only")
    release = ReleaseFactory(
        scenario=ScenarioFactory(team=team, status="onboarded"),
        status="released" if released else "approved",
        released_at=released,
        **kw,
    )
    person = UserFactory()
    end = released or NOW
    for i in range(humans):
        frozen.move_to(end - dt.timedelta(hours=humans - i))
        record_transition(release, transition=f"step_{i}", source="a", target="a", actor=person)
    frozen.move_to(end - dt.timedelta(minutes=30))
    for kind in ("quality", "cost"):
        record_transition(
            release, transition=f"sign_off_{kind}_approve", source="a", target="a", actor=None
        )
    frozen.move_to(end + dt.timedelta(hours=1))
    record_transition(release, transition="roll_back", source="a", target="a", actor=person)
    # Another object's human row with the same id is not the release's.
    record_transition(release.scenario, transition="x", source="a", target="a", actor=person)
    return release


@pytest.fixture
def data(frozen: Any) -> dict[str, Any]:
    alpha, beta = TeamFactory(slug="alpha"), TeamFactory(slug="beta")
    found = {
        "a": _release(frozen, alpha, at(6, 10), 5, fast_path=True),  # fast path: 5
        "b": _release(frozen, alpha, at(6, 20), 8),  # human path: 8
        "c": _release(frozen, beta, at(6, 25), 6),
        "model": _release(frozen, alpha, at(6, 15), 2, change_type="model"),  # not prompt-only
        "previous": _release(frozen, alpha, at(5, 20), 4),  # the previous window
        "unreleased": _release(frozen, alpha, None, 3),  # not released
        "alpha": alpha,
    }
    frozen.move_to(NOW)
    return found


def _figures(window: Window) -> dict[str, metrics.Figure]:
    metric = next(m for m in metrics.dashboard(window) if m.key == "human-actions")
    return {f.key: f for f in metric.figures}


def test_median_and_count_in_the_window_and_the_previous_one(data: dict[str, Any]) -> None:
    figures = _figures(Window(days=30, end=NOW))
    assert (figures["median"].value, figures["median"].previous) == (6, 4)  # of 5, 6, 8; of 4
    assert (figures["count"].value, figures["count"].previous) == (3, 1)
    alpha = _figures(Window(days=30, end=NOW, team=data["alpha"]))
    assert (alpha["median"].value, alpha["count"].value) == (6.5, 2)  # of 5 and 8


def test_no_prompt_release_is_no_data(frozen: Any) -> None:
    figures = _figures(Window(days=30, end=NOW))
    assert (figures["median"].value, figures["count"].value) == (None, 0)


def test_the_drill_down_lists_the_counted_releases(
    client: Any, outsider: Any, data: dict[str, Any]
) -> None:
    client.force_login(outsider)
    response = client.get("/dashboard/human-actions/items/?days=30")
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    assert [(r.pk, r.human_actions) for r in rows] == [
        (data["c"].pk, 6), (data["b"].pk, 8), (data["a"].pk, 5),
    ]  # fmt: skip
    fast = client.get("/dashboard/human-actions/items/?days=30&fast_path=yes")
    assert [r.pk for r in fast.context["page_obj"]] == [data["a"].pk]


def test_the_csv_export_carries_the_figures(
    client: Any, admin_user: Any, data: dict[str, Any]
) -> None:
    client.force_login(admin_user)
    response = client.get("/dashboard/metrics.csv?days=30")
    rows = {
        (r["metric"], r["figure"]): r
        for r in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert rows[("human-actions", "median")]["value"] == "6"
    assert rows[("human-actions", "count")]["value"] == "3"
