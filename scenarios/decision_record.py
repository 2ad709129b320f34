"""The decision record of a scenario: one structure behind the page, the JSON and the Markdown.

Building the page, the API answer and the Markdown export from the same dictionary keeps the
three from drifting apart. The scenario should come from `selectors.scenario_detail` so that
everything here is already loaded.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.audit import history_for
from portal.core.models import AuditEntry
from portal.core.notifications import absolute_url
from portal.core.serializers import person_summary
from scenarios import checklist, selectors
from scenarios.amendments import selectors as amendments
from scenarios.models import Amendment, Scenario, Vacancy

SELF_HOSTED_FIELDS: tuple[str, ...] = tuple(checklist.SELF_HOSTED_LABELS)
CONTRACT_SECTIONS: tuple[tuple[str | Promise, tuple[str, ...]], ...] = (
    (
        gettext_lazy("Basics"),
        ("description", "expected_volume", "risk_level", "data_classification"),
    ),
    (
        gettext_lazy("Success criterion and eval"),
        ("success_criterion", "eval_dataset", "eval_threshold"),
    ),
    (gettext_lazy("Route policy"), ("primary_route", "human_review", "fallback", "fallback_alias")),
    (gettext_lazy("Context budget"), ("context_budget_tokens",)),
    (gettext_lazy("Cache strategy"), ("prefix_stability", "route_affinity", "cache_hit_slo")),
    (gettext_lazy("Cost"), ("monthly_budget", "target_cost_per_outcome")),
    (gettext_lazy("Hosting"), ("hosting",)),
    (gettext_lazy("Self-hosted"), SELF_HOSTED_FIELDS),
    (gettext_lazy("Rollback"), ("rollback_plan",)),
)
# How a number reads with its unit.
UNITS: dict[str, str | Promise] = {
    "eval_threshold": "%(value)s %%",
    "cache_hit_slo": "%(value)s %%",
    "context_budget_tokens": gettext_lazy("%(value)s tokens"),
    "expected_volume": gettext_lazy("%(value)s requests/month"),
    "monthly_budget": "%(value)s EUR",
    "target_cost_per_outcome": "%(value)s EUR",
}


def _value(scenario: Scenario, name: str) -> Any:
    value = getattr(scenario, name)
    if value is None or value == "":
        return None
    display = getattr(scenario, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return str(UNITS.get(name, "%(value)s")) % {"value": f"{value.normalize():f}"}
    if isinstance(value, int):
        return str(UNITS.get(name, "%(value)s")) % {"value": f"{value:,}"}
    return value


def _label(name: str) -> str:
    labels = {
        **checklist.CONTRACT_LABELS,
        **checklist.SELF_HOSTED_LABELS,
        "fallback_alias": gettext_lazy("Fallback model alias"),
        "route_affinity": gettext_lazy("Route affinity"),
    }
    return str(labels[name])


def contract(scenario: Scenario) -> list[dict[str, Any]]:
    sections = []
    for title, fields in CONTRACT_SECTIONS:
        if fields == SELF_HOSTED_FIELDS and not scenario.is_self_hosted:
            continue
        items = [
            {"key": name, "label": _label(name), "value": _value(scenario, name)}
            for name in fields
            if not (name == "fallback_alias" and not scenario.fallback_alias)
        ]
        sections.append({"title": str(title), "items": items})
    return sections


def _checklist(scenario: Scenario, latest: Any) -> list[dict[str, Any]]:
    answers = latest.checklist if latest is not None else {}
    rows = []
    for result in checklist.evaluate(scenario):
        answer = answers.get(result.key)
        rows.append(
            {
                "key": result.key,
                "label": str(result.label),
                "automatic": {
                    "passed": result.passed,
                    "applicable": result.applicable,
                    "summary": result.summary,
                },
                "review": answer,
            }
        )
    return rows


def _aliases(scenario: Scenario) -> list[dict[str, Any]]:
    # Aliases belong to the releases app, which points at scenarios; reading them through the
    # reverse relation keeps this lower layer free of imports from it.
    manager = getattr(scenario, "aliases", None)
    if manager is None:
        return []
    return [
        {
            "name": alias.name,
            "current_release": str(alias.current_release) if alias.current_release else None,
            "url": alias.current_release.get_absolute_url() if alias.current_release else None,
        }
        for alias in manager.all()
    ]


def _open_exceptions(scenario: Scenario) -> list[Any]:
    prefetched = getattr(scenario, "open_exceptions", None)
    if prefetched is not None:
        return list(prefetched)
    return list(scenario.exceptions.open())


def _open_vacancies(scenario: Scenario) -> list[Vacancy]:
    prefetched = getattr(scenario, "open_vacancies", None)
    if prefetched is not None:
        return list(prefetched)
    return list(Vacancy.objects.open().filter(scenario=scenario).select_related("person"))


def vacancy_rows(vacancies: list[Vacancy]) -> list[dict[str, Any]]:
    """Vacancies as the record (and the release and incident pages) show them."""
    return [
        {
            "id": vacancy.pk,
            "text": str(vacancy),
            "kind": vacancy.kind,
            "place": vacancy.place,
            "label": vacancy.label,
            "was": person_summary(vacancy.person),
            "left_at": vacancy.left_at,
            "opened_at": vacancy.opened_at,
        }
        for vacancy in vacancies
    ]


def build(
    scenario: Scenario,
    history: list[AuditEntry] | None = None,
    amended: list[Amendment] | None = None,
) -> dict[str, Any]:
    """The record as plain data (JSON-ready except datetimes, which DRF and templates format).

    Pass `history` (and `amended`) when the caller has already read the audit trail (and the
    amendments): the page shows them too."""
    if history is None:
        history = list(history_for(scenario))
    if amended is None:
        amended = amendments.scenario_amendments(scenario)
    reviews = list(scenario.reviews.all())
    latest = reviews[0] if reviews else None
    flagged = {tool.pk for tool in selectors.flagged_tools(scenario)}
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "url": absolute_url(scenario.get_absolute_url()),
        "team": scenario.team.name,
        "status": scenario.status,
        "status_label": scenario.get_status_display(),
        "template": str(scenario.template) if scenario.template_id else None,
        "dates": {
            "created": scenario.created_at,
            "submitted": scenario.first_submitted_at,
            "decided": scenario.decided_at,
            "onboarded": scenario.onboarded_at,
            "retired": scenario.retired_at,
        },
        "raci": [
            {"role": name, "label": str(label), "person": person_summary(getattr(scenario, name))}
            for name, label in checklist.RACI_LABELS.items()
        ],
        "escalation_path": [
            {"position": step.position, "person": person_summary(step.person)}
            for step in scenario.escalation_steps.all()
        ],
        "contract": contract(scenario),
        "tools": [
            {
                "id": tool.pk,
                "name": tool.name,
                "stability": tool.stability,
                "allowed": tool.allowed,
                "flagged": tool.pk in flagged,
            }
            for tool in scenario.allowed_tools.all()
        ],
        "checklist": _checklist(scenario, latest),
        "reviews": [
            {
                "decision": review.decision,
                "decision_label": review.get_decision_display(),
                "reviewer": person_summary(review.reviewer),
                "as_delegate": review.as_delegate,
                "comment": review.comment,
                "checklist": review.checklist,
                "created_at": review.created_at,
            }
            for review in reviews
        ],
        "open_exceptions": [
            {
                "id": exc.pk,
                "title": str(exc),
                "kind": exc.get_kind_display(),
                "status": exc.status,
                "expires_on": exc.expires_on,
                "url": exc.get_absolute_url(),
            }
            for exc in _open_exceptions(scenario)
        ],
        "vacancies": vacancy_rows(_open_vacancies(scenario)),
        "aliases": _aliases(scenario),
        "missing_for_submission": list(checklist.missing_for_submission(scenario).values()),
        "amendments": [_amendment(amendment) for amendment in amended],
        "timeline": [
            {
                "transition": entry.transition,
                "source": entry.source,
                "target": entry.target,
                "actor": person_summary(entry.actor),
                "as_delegate": entry.as_delegate,
                "comment": entry.comment,
                "created_at": entry.created_at,
            }
            for entry in history
        ],
    }


def _amendment(amendment: Amendment) -> dict[str, Any]:
    return {
        "id": amendment.pk,
        "url": absolute_url(amendment.get_absolute_url()),
        "kind": amendment.kind,
        "kind_label": amendment.get_kind_display(),
        "status": amendment.status,
        "status_label": amendment.get_status_display(),
        "summary": amendment.summary,
        "requested_by": person_summary(amendment.requested_by),
        "decided_by": person_summary(amendment.decided_by),
        "created_at": amendment.created_at,
        "applied_at": amendment.applied_at,
        "changes": [
            {"field": name, "before": change["before"], "after": change["after"]}
            for name, change in amendment.applied_changes.items()
        ],
    }


# Markdown -----------------------------------------------------------------------------------


# Everything CommonMark (and GitHub's tables) could read as markup inside a line. Line starts
# need no escaping of their own: a value never begins a line, as line breaks become <br>.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def escape_markdown(text: str) -> str:
    """User text as literal Markdown: no HTML, no links or emphasis, no new lines or cells."""
    text = html.escape(text, quote=False)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", text)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape_markdown(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def _md(text: Any) -> str:
    """An optional value: a dash when there is none."""
    if text is None or text == "":
        return "—"
    return str(text)


def _who(person: dict[str, Any] | None) -> str:
    if person is None:
        return "_" + _("not named") + "_"
    return f"{_md(person['name'])} ({_md(person['email'] or person['username'])})"


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return value.isoformat()


def _row(*cells: str) -> str:
    """A Markdown table row."""
    return "| " + " | ".join(cells) + " |"


def _pass(passed: bool | None) -> str:
    return {True: _("PASS"), False: _("FAIL"), None: _("not answered")}[passed]


def to_markdown(record: dict[str, Any]) -> str:
    """The same record as a Markdown document. Every text value of the record is escaped
    here, once, so nothing a user typed becomes markup, a link or a section of its own."""
    record = _escaped(record)
    dates = record["dates"]
    out = [
        "# " + _("Decision record: %(name)s") % {"name": record["name"]},
        "",
        "- " + _("Team: %(team)s") % {"team": _md(record["team"])},
        "- " + _("State: %(state)s") % {"state": record["status_label"]},
        "- " + _("Template: %(template)s") % {"template": _md(record["template"] or _("none"))},
        "- " + _("Submitted: %(when)s") % {"when": _when(dates["submitted"])},
        "- " + _("Decided: %(when)s") % {"when": _when(dates["decided"])},
        "- " + _("Onboarded: %(when)s") % {"when": _when(dates["onboarded"])},
        "- " + _("Link: %(url)s") % {"url": record["url"]},
        "",
        *_md_raci(record),
        *_md_contract(record),
        *_md_checklist(record),
        *_md_reviews(record),
        *_md_operations(record),
        *_md_amendments(record),
        *_md_timeline(record),
    ]
    return "\n".join(out).rstrip() + "\n"


def _md_raci(record: dict[str, Any]) -> list[str]:
    lines = ["## RACI", "", _row(_("Role"), _("Person")), "|---|---|"]
    lines += [f"| {row['label']} | {_who(row['person'])} |" for row in record["raci"]]
    lines += ["", "### " + _("Escalation path"), ""]
    path = record["escalation_path"]
    lines += [f"{step['position']}. {_who(step['person'])}" for step in path] or [
        "_" + _("nobody") + "_"
    ]
    return [*lines, ""]


def _md_contract(record: dict[str, Any]) -> list[str]:
    lines = ["## " + _("Platform contract"), ""]
    for section in record["contract"]:
        lines += [f"### {section['title']}", "", _row(_("Item"), _("Value")), "|---|---|"]
        lines += [f"| {item['label']} | {_md(item['value'])} |" for item in section["items"]]
        lines.append("")
    lines += ["### " + _("Tool policy"), ""]
    tools = record["tools"]
    not_allowed = ", " + _("not allowed")
    attention = " **" + _("needs attention") + "**"
    lines += [
        f"- {_md(t['name'])} ({t['stability']}{not_allowed if not t['allowed'] else ''})"
        + (attention if t["flagged"] else "")
        for t in tools
    ] or ["_" + _("no tools") + "_"]
    return [*lines, ""]


def _md_checklist(record: dict[str, Any]) -> list[str]:
    lines = [
        "## " + _("Architecture review checklist"),
        "",
        _row(_("Item"), _("Automatic check"), _("Reviewer"), _("Note")),
        "|---|---|---|---|",
    ]
    for row in record["checklist"]:
        auto = row["automatic"]
        automatic = _("n/a") if not auto["applicable"] else _pass(auto["passed"])
        review = row["review"] or {}
        lines.append(
            f"| {_md(row['label'])} | {automatic} | {_pass(review.get('passed'))} "
            f"| {_md(review.get('note'))} |"
        )
    if record["missing_for_submission"]:
        lines += ["", _("Missing before submission:"), ""]
        lines += [f"- {_md(item)}" for item in record["missing_for_submission"]]
    return [*lines, ""]


def _md_reviews(record: dict[str, Any]) -> list[str]:
    lines = ["## " + _("Review decisions"), ""]
    for review in record["reviews"]:
        values = {
            "decision": review["decision_label"],
            "who": _who(review["reviewer"]),
            "when": _when(review["created_at"]),
            "comment": _md(review["comment"]),
        }
        if review["as_delegate"]:
            line = _("**%(decision)s** by %(who)s (as delegate), %(when)s: %(comment)s")
        else:
            line = _("**%(decision)s** by %(who)s, %(when)s: %(comment)s")
        lines.append("- " + line % values)
    if not record["reviews"]:
        lines.append("_" + _("no decisions yet") + "_")
    return [*lines, ""]


def _md_operations(record: dict[str, Any]) -> list[str]:
    none = "_" + _("none") + "_"
    lines = ["## " + _("Model aliases"), ""]
    lines += [
        f"- {_md(a['name'])}: {_md(a['current_release'] or _('no release yet'))}"
        for a in record["aliases"]
    ] or [none]
    lines += ["", "## " + _("Vacancies"), ""]
    lines += [
        "- "
        + _("vacant: %(place)s (was %(who)s, left %(when)s)")
        % {"place": _md(v["label"]), "who": _who(v["was"]), "when": _when(v["left_at"])}
        for v in record["vacancies"]
    ] or [none]
    lines += ["", "## " + _("Open exceptions"), ""]
    lines += [
        "- "
        + _("%(title)s (%(kind)s, %(state)s, expires %(when)s)")
        % {
            "title": _md(e["title"]),
            "kind": _md(e["kind"]),
            "state": e["status"],
            "when": _when(e["expires_on"]),
        }
        for e in record["open_exceptions"]
    ] or [none]
    return [*lines, ""]


def _md_amendments(record: dict[str, Any]) -> list[str]:
    lines = ["## " + _("Amendment history"), ""]
    for item in record["amendments"]:
        lines.append(
            f"- {_when(item['created_at'])} "
            + _("**%(summary)s** (%(kind)s, %(state)s), requested by %(who)s")
            % {
                "summary": _md(item["summary"]),
                "kind": item["kind_label"],
                "state": item["status_label"],
                "who": _who(item["requested_by"]),
            }
        )
        lines += [
            f"  - {_md(change['field'])}: {_md(change['before'])} → {_md(change['after'])}"
            for change in item["changes"]
        ]
    if not record["amendments"]:
        lines.append("_" + _("no amendments") + "_")
    return [*lines, ""]


def _md_timeline(record: dict[str, Any]) -> list[str]:
    lines = ["## " + _("Timeline"), ""]
    for entry in record["timeline"]:
        actor = entry["actor"]["name"] if entry["actor"] else _("System")
        delegate = " (" + _("as delegate") + ")" if entry["as_delegate"] else ""
        comment = f": {_md(entry['comment'])}" if entry["comment"] else ""
        lines.append(
            f"- {_when(entry['created_at'])} {_md(actor)}{delegate} {entry['transition']} "
            f"({entry['source'] or 'new'} → {entry['target']}){comment}"
        )
    if not record["timeline"]:
        lines.append("_" + _("no transitions yet") + "_")
    return lines
