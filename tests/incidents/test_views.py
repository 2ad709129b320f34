"""The HTML pages: list, open form, incident page, POST-only actions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from incidents.models import Incident, RollbackAction
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ModelAliasFactory, ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(incident: Any) -> None:
    for url in ("/incidents/", f"/incidents/{incident.pk}/", "/incidents/new/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_list_filters_search_and_pagination(cast: SimpleNamespace, product_team: Any) -> None:
    other = ScenarioFactory(name="Invoice triage", status="onboarded", team=product_team)
    IncidentFactory(scenario=cast.scenario, title="Stale refund policy", severity="SEV1")
    IncidentFactory(scenario=cast.scenario, title="Slow answers", status="closed")
    IncidentFactory(scenario=other, title="Wrong totals", status="mitigated")
    client = _client(cast.outsider)

    def titles(query: str) -> set[str]:
        response = client.get(f"/incidents/?{query}")
        assert response.status_code == 200
        return {i.title for i in response.context["incidents"]}

    assert titles("") == {"Stale refund policy", "Slow answers", "Wrong totals"}
    assert titles("severity=SEV1") == {"Stale refund policy"}
    assert titles("state=closed") == {"Slow answers"}
    assert titles(f"scenario={other.pk}") == {"Wrong totals"}
    assert titles("open_only=on") == {"Stale refund policy", "Wrong totals"}
    assert titles("q=refund") == {"Stale refund policy"}
    assert titles("q=invoice") == {"Wrong totals"}
    assert titles(f"owner={cast.incident_owner.pk}") == {"Stale refund policy", "Slow answers"}
    html = client.get("/incidents/").content.decode()
    assert 'for="id_severity"' in html and "Open an incident" in html


def test_list_paginates(cast: SimpleNamespace) -> None:
    for _ in range(27):
        IncidentFactory(scenario=cast.scenario)
    client = _client(cast.outsider)
    first = client.get("/incidents/?severity=SEV3")
    assert len(first.context["incidents"]) == 25
    assert "severity=SEV3&amp;page=2" in first.content.decode()
    assert len(client.get("/incidents/?severity=SEV3&page=2").context["incidents"]) == 2


def test_open_from_the_scenario_link(cast: SimpleNamespace) -> None:
    client = _client(cast.outsider)
    url = f"/incidents/new/?scenario={cast.scenario.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "accept_interim_owner" not in page.context["form"].fields
    response = client.post(
        url,
        {"title": "Refund answers wrong", "severity": "SEV2", "description": "Many tickets."},
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.incident_owner == cast.incident_owner and incident.opened_by == cast.outsider


def test_open_without_a_scenario_asks_for_one(cast: SimpleNamespace) -> None:
    response = _client(cast.outsider).get("/incidents/new/")
    assert response.status_code == 200
    assert list(response.context["form"].fields["scenario"].queryset) == [cast.scenario]


def test_open_form_names_missing_owners_and_asks_to_confirm(
    cast: SimpleNamespace, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="onboarded",
        team=product_team,
        platform_owner=cast.platform_owner,
        incident_owner=None,
        escalation=[],
    )
    client = _client(cast.outsider)
    url = f"/incidents/new/?scenario={scenario.pk}"
    page = client.get(url).content.decode()
    assert "names no incident owner, escalation path" in page
    assert "interim incident owner" in page
    data = {"title": "Timeouts", "severity": "SEV3"}
    refused = client.post(url, data)
    assert refused.status_code == 200 and not Incident.objects.exists()
    assert "Confirm to open the incident anyway" in refused.content.decode()
    client.post(url, {**data, "accept_interim_owner": "on"})
    incident = Incident.objects.get()
    assert incident.incident_owner == cast.platform_owner and incident.findings
    assert "Findings" in client.get(f"/incidents/{incident.pk}/").content.decode()


def test_page_offers_only_this_users_actions(cast: SimpleNamespace, incident: Any) -> None:
    def offered(user: Any) -> list[str]:
        response = _client(user).get(f"/incidents/{incident.pk}/")
        assert response.status_code == 200
        return [a.name for a in response.context["actions"]]

    assert offered(cast.incident_owner) == ["acknowledge", "mitigate"]
    assert offered(cast.platform) == ["mitigate"]
    assert offered(cast.outsider) == []
    page = _client(cast.outsider).get(f"/incidents/{incident.pk}/")
    html = page.content.decode()
    assert "Post the update" in html and "Hand the incident over" not in html
    assert "release_rollback_form" not in page.context
    admin_page = _client(cast.admin).get(f"/incidents/{incident.pk}/")
    assert [a.name for a in admin_page.context["delegate_actions"]] == ["acknowledge", "mitigate"]


def test_transition_posts(cast: SimpleNamespace, incident: Any) -> None:
    url = f"/incidents/{incident.pk}/acknowledge/"
    assert _client(cast.incident_owner).get(url).status_code == 405
    assert _client(cast.outsider).post(url).status_code == 403
    owner = _client(cast.incident_owner)
    response = owner.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/incidents/{incident.pk}/"
    incident.refresh_from_db()
    assert incident.status == "acknowledged"
    again = owner.post(url, follow=True)
    assert "state is “Acknowledged”" in again.content.decode()
    delegated = _client(cast.admin).post(
        f"/incidents/{incident.pk}/mitigate/", {"as_delegate": "1"}
    )
    assert delegated.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "mitigated"


def test_close_without_postmortem_shows_the_reason(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    client = _client(cast.incident_owner)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "closes only with a postmortem" in page
    response = client.post(f"/incidents/{incident.pk}/close/", follow=True)
    assert "closes only with a postmortem" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_updates_and_hand_over(cast: SimpleNamespace, incident: Any) -> None:
    outsider = _client(cast.outsider)
    outsider.post(f"/incidents/{incident.pk}/updates/", {"text": "Also broken in French."})
    assert incident.updates.get().text == "Also broken in French."
    url = f"/incidents/{incident.pk}/hand-over/"
    assert outsider.post(url, {"to": cast.helper.pk}).status_code == 403
    owner = _client(cast.incident_owner)
    bad = owner.post(url, {"to": cast.incident_owner.pk})
    assert bad.status_code == 400 and "already holds" in bad.content.decode()
    owner.post(url, {"to": cast.helper.pk, "comment": "Yours."})
    incident.refresh_from_db()
    assert incident.handed_to == cast.helper
    page = owner.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Handed over to Helper. Yours." in page


def test_rollback_from_the_page(
    cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace
) -> None:
    client = _client(cast.incident_owner)
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.context["rollback_choices"]["releases"] == [live_pair.live]
    url = f"/incidents/{incident.pk}/rollback/"
    missing = client.post(url, {"kind": "model", "release": live_pair.live.pk})
    assert missing.status_code == 400 and not RollbackAction.objects.exists()
    response = client.post(
        url, {"kind": "model", "release": live_pair.live.pk, "reason": "Bad answers"}, follow=True
    )
    assert "Rollback done and recorded." in response.content.decode()
    live_pair.alias.refresh_from_db()
    assert live_pair.alias.current_release == live_pair.old
    refused = client.post(
        url, {"kind": "model", "release": live_pair.live.pk, "reason": "Again"}, follow=True
    )
    assert "Rollback refused" in refused.content.decode()
    client.post(
        url,
        {"kind": "tool", "release": live_pair.old.pk, "tool": live_pair.tool.pk, "reason": "Leaks"},
    )
    assert RollbackAction.objects.filter(kind="tool").count() == 1
    assert _client(cast.outsider).post(url, {"kind": "model"}).status_code == 403


def test_postmortem_form(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV2")
    client = _client(cast.incident_owner)
    assert "Write the postmortem" in client.get(f"/incidents/{incident.pk}/").content.decode()
    url = f"/incidents/{incident.pk}/postmortem/"
    data = {
        "summary": "Stale index.",
        "timeline": "09:00 impact.",
        "contributing_factors": "No alert.",
        "what_went_well": "Fast rollback.",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Freshness alert",
        "items-0-owner": "",
        "items-0-due_on": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "needs an owner and a due date" in refused.content.decode()
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    data.update({"items-0-owner": cast.platform.pk, "items-0-due_on": due})
    assert client.post(url, data).status_code == 302
    assert incident.postmortem.action_items.get().owner == cast.platform
    assert _client(cast.product).post(url, data).status_code == 403
    client.post(f"/incidents/{incident.pk}/close/")
    incident.refresh_from_db()
    assert incident.status == "closed"
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Freshness alert" in page and "Save the postmortem" not in page


def test_list_shows_recent_resolve_and_acknowledge_times(cast: SimpleNamespace) -> None:
    # The factory spaces the stamps: impact 10 min before opening, then 30 min per step.
    IncidentFactory(scenario=cast.scenario, status="resolved")
    html = _client(cast.outsider).get("/incidents/").content.decode()
    assert "MTTR) median 1 h 40 min, p90 1 h 40 min over 1 resolved" in html
    assert "time to acknowledge median 30 min" in html


def test_a_first_release_is_not_offered_for_rollback(cast: SimpleNamespace, incident: Any) -> None:
    name = "support-answers-first"
    first = ReleaseFactory(scenario=cast.scenario, status="released", alias_name=name)
    ModelAliasFactory(name=name, scenario=cast.scenario, current_release=first)
    page = _client(cast.incident_owner).get(f"/incidents/{incident.pk}/")
    assert page.context["rollback_choices"]["releases"] == []
    assert "Nothing to roll back" in page.content.decode()
