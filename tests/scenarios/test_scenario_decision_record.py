"""The decision record: one structure for the page, the JSON and the Markdown export."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt

from scenarios import decision_record, selectors, services
from tests.scenarios.factories import PlatformExceptionFactory, ToolFactory
from tests.scenarios.scenario_fixtures import ALL_PASS

pytestmark = pytest.mark.django_db


def _record(user: Any, pk: int) -> dict[str, Any]:
    return decision_record.build(selectors.scenario_detail(user, pk))


def test_record_of_a_reviewed_scenario(
    make_scenario: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    tool = ToolFactory(name="old-kb", stability="deprecated")
    scenario = make_scenario("in_review", name="Refunds | EU", tools=[tool])
    PlatformExceptionFactory(scenario=scenario, title="Eval bypass", status="approved")
    answers = {**ALL_PASS, "quality_cost": {"passed": False, "note": "Eval set\ntoo small"}}
    services.scenario_decide(
        actor=platform_reviewer,
        pk=scenario.pk,
        decision="request_changes",
        comment="Grow the eval set.",
        answers=answers,
    )
    record = _record(product_owner, scenario.pk)
    raci = {row["role"]: row["person"] for row in record["raci"]}
    assert raci["product_owner"]["id"] == product_owner.pk
    assert [row["review"]["passed"] for row in record["checklist"]] == [
        True, True, False, True, True,
    ]  # fmt: skip
    assert record["tools"] == [
        {"id": tool.pk, "name": "old-kb", "stability": "deprecated", "allowed": True,
         "flagged": True}
    ]  # fmt: skip
    assert [e["title"] for e in record["open_exceptions"]] == ["Eval bypass"]
    assert record["missing_for_submission"] == []
    assert [s["title"] for s in record["contract"]] == [
        "Basics", "Success criterion and eval", "Route policy", "Context budget",
        "Cache strategy", "Cost", "Hosting", "Rollback",
    ]  # fmt: skip

    markdown = decision_record.to_markdown(record)
    assert markdown.startswith("# Decision record: Refunds \\| EU\n")
    assert "| Quality and cost owners, success criterion and eval dataset | PASS | FAIL " in (
        markdown
    )
    assert "Eval set<br>too small" in markdown
    assert "**Request changes** by Reviewer" in markdown
    assert "Eval bypass" in markdown and "old-kb (deprecated) **needs attention**" in markdown
    assert "| Product owner | Po (po@example.com) |" in markdown


def test_self_hosted_section_and_missing_items(make_scenario: Any, product_owner: Any) -> None:
    scenario = make_scenario("draft", hosting="self_hosted", capacity_plan="2 nodes")
    record = _record(product_owner, scenario.pk)
    self_hosted = next(s for s in record["contract"] if s["title"] == "Self-hosted")
    assert self_hosted["items"][0] == {
        "key": "capacity_plan",
        "label": "Capacity plan",
        "value": "2 nodes",
    }
    assert "Owned SLO is missing." in record["missing_for_submission"]
    check = {row["key"]: row["automatic"] for row in record["checklist"]}
    assert check["self_hosted"]["passed"] is False and check["self_hosted"]["applicable"]
    markdown = decision_record.to_markdown(record)
    assert "### Self-hosted" in markdown and "Missing before submission:" in markdown


SCRIPT = "<script>alert(1)</script>"
LINK = "[click me](javascript:alert(1))"
FORGED = "Refunds\n\n## Review decisions\n\n- **Approved** by Admin"


def test_user_text_cannot_become_markup_in_the_markdown(
    make_scenario: Any, platform_reviewer: Any, product_owner: Any
) -> None:
    tool = ToolFactory(name=f"kb {SCRIPT}")
    scenario = make_scenario(
        "in_review", name=FORGED, description=f"{SCRIPT} <javascript:alert(2)> {LINK}", tools=[tool]
    )
    services.scenario_decide(
        actor=platform_reviewer,
        pk=scenario.pk,
        decision="request_changes",
        comment=f"{LINK}\n# Approved",
        answers={**ALL_PASS, "incident_rollback": {"passed": True, "note": SCRIPT}},
    )
    markdown = decision_record.to_markdown(_record(product_owner, scenario.pk))

    assert "<script" not in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html
    assert 'href="javascript' not in html and "<a " not in html
    lines = markdown.splitlines()
    assert [line for line in lines if line.startswith("## ")] == [
        "## RACI", "## Platform contract", "## Architecture review checklist",
        "## Review decisions", "## Model aliases", "## Vacancies", "## Open exceptions",
        "## Amendment history", "## Timeline",
    ]  # fmt: skip
    assert len([line for line in lines if line.startswith("# ")]) == 1
    assert not [line for line in lines if line.startswith("- **Approved")]
    assert html.count("<h2>Review decisions</h2>") == 1 and "<strong>Approved" not in html
    assert markdown.startswith("# Decision record: Refunds<br><br>\\#\\# Review decisions")
    # The text still reads as it was written once rendered.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[click me](javascript:alert(1))" in html
