"""The scenario page's releases panel: newest first, bounded, with the eval gate's verdict on
each release's own results, the drafts only for those who may see them, and the full list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from releases import selectors
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def _panel(html: str) -> str:
    return html.split('<section id="scenario-releases"')[1].split("</section>")[0]


def test_newest_first_bounded_with_a_link_to_the_list(
    scenario: Any, product_owner: Any, client: Any
) -> None:
    start = timezone.now() - dt.timedelta(days=30)
    shown = selectors.SCENARIO_RELEASES_SHOWN
    for n in range(shown + 2):
        ReleaseFactory(scenario=scenario, status="superseded", created_at=start + dt.timedelta(n))
    client.force_login(product_owner)
    panel = client.get(scenario.get_absolute_url()).context["extra_panels"]
    releases = next(p for p in panel if p["template"] == "releases/_scenario_panel.html")
    created = [row["release"].created_at for row in releases["rows"]]
    assert len(created) == shown and created == sorted(created, reverse=True)
    assert releases["total"] == shown + 2
    html = _panel(client.get(scenario.get_absolute_url()).content.decode())
    assert f'href="/releases/?scenario={scenario.pk}">All {shown + 2} releases' in html


def test_each_row_names_version_kind_state_gate_and_when(
    scenario: Any, product_owner: Any, client: Any
) -> None:
    scenario.eval_threshold = Decimal("80")
    scenario.save(update_fields=["eval_threshold"])
    ReleaseFactory(
        scenario=scenario, status="released", model_version="2026-05", eval_score=Decimal("85")
    )
    ReleaseFactory(scenario=scenario, status="submitted", eval_score=Decimal("72"))
    ReleaseFactory(scenario=scenario, status="submitted", eval_score=None)
    client.force_login(product_owner)
    html = _panel(client.get(scenario.get_absolute_url()).content.decode())
    assert "gpt-4.1-mini 2026-05" in html and "Model" in html
    assert "Released" in html and "Submitted" in html
    assert "Passed (85.00, threshold 80.00)" in html
    assert "Below the threshold (72.00, threshold 80.00)" in html
    assert "No eval results" in html
    assert "released <time" in html and "created <time" in html
    assert f'href="/releases/?scenario={scenario.pk}"' in html


def test_drafts_only_for_those_who_may_see_them(
    scenario: Any, product_owner: Any, other_product_owner: Any, client: Any
) -> None:
    draft = ReleaseFactory(scenario=scenario, status="draft", title="Unfinished idea")
    client.force_login(product_owner)
    assert draft.title in _panel(client.get(scenario.get_absolute_url()).content.decode())
    client.force_login(other_product_owner)
    html = _panel(client.get(scenario.get_absolute_url()).content.decode())
    assert draft.title not in html and "No releases yet." in html
