"""The `portal` command against a live portal: real HTTP, a new process per command, as in CI."""

from __future__ import annotations

import json
from typing import Any

from portal.core.token_services import token_create
from releases import services as release_services
from releases.models import Release
from scenarios import decision_record
from tests.releases.factories import ReleaseFactory
from tests.releases.test_pipeline_readme import _run
from tests.scenarios.factories import ScenarioFactory
from tests.sdk.conftest import PORTAL_COMMAND

DRAFT = [
    "--model-name", "small-model", "--model-version", "2026-03", "--alias", "support-chat",
    "--title", "Nightly model bump", "--change-type", "model", "--eval-run-ref", "ci/4711",
    "--eval-dataset", "support-golden-v1", "--eval-score", "91.5", "--eval-coverage", "100",
    "--cost-per-request", "0.0012", "--accepted-outcome-rate", "82",
]  # fmt: skip


def _create(cli: Any, scenario: Any, *extra: str, **options: Any) -> Any:
    return cli("release", "create", "--scenario", str(scenario.pk), *DRAFT, *extra, **options)


def _submitted(scenario: Any, author: Any) -> Release:
    release = ReleaseFactory(scenario=scenario, author=author, alias_name="support-chat")
    return release_services.release_submit(release.pk, actor=author)


def test_whoami_names_the_token_s_owner(cli: Any, author: Any, product_team: Any) -> None:
    done = cli("whoami")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"{author.username} ({author.get_full_name() or author.username})"
    )
    assert product_team.slug in done.stdout
    as_json = json.loads(cli("whoami", "--json").stdout)
    assert (as_json["id"], as_json["username"]) == (author.pk, author.username)


def test_scenario_list_filters_and_prints_json(
    cli: Any, scenario: Any, product_team: Any, other_team: Any
) -> None:
    ScenarioFactory(name="Invoice triage", team=other_team, status="onboarded")
    rows = json.loads(cli("scenario", "list", "--team", product_team.slug, "--json").stdout)
    assert [row["name"] for row in rows] == ["Support answers"]
    text = cli("scenario", "list", "--status", "onboarded").stdout
    assert "Support answers" in text and "Invoice triage" in text
    assert len(json.loads(cli("scenario", "list", "--limit", "1", "--json").stdout)) == 1
    assert cli("scenario", "list", "--search", "no such thing").stdout == "No scenarios.\n"


def test_scenario_record_prints_the_portal_s_markdown(cli: Any, scenario: Any) -> None:
    done = cli("scenario", "record", str(scenario.pk))
    assert done.returncode == 0, done.stderr
    assert done.stdout == decision_record.to_markdown(decision_record.build(scenario))
    record = json.loads(cli("scenario", "record", str(scenario.pk), "--json").stdout)
    assert (record["id"], record["name"]) == (scenario.pk, "Support answers")


def test_release_create_with_a_key_creates_once(cli: Any, scenario: Any, author: Any) -> None:
    first = _create(cli, scenario, "--idempotency-key", "release-4711")
    assert first.returncode == 0, first.stderr
    release = Release.objects.get()
    assert (release.author, release.status, str(release.eval_score)) == (author, "draft", "91.50")
    assert first.stdout.startswith(f"Release {release.pk} created (draft): http://")

    again = _create(cli, scenario, "--idempotency-key", "release-4711", "-q")
    assert (again.returncode, again.stdout) == (0, f"{release.pk}\n")
    replayed = _create(cli, scenario, "--idempotency-key", "release-4711")
    assert "already created by an earlier run with this key" in replayed.stdout
    assert Release.objects.count() == 1

    other_body = _create(cli, scenario, "--idempotency-key", "release-4711", "--changelog", "x")
    assert other_body.returncode == 1
    assert "422 idempotency_key_reused" in other_body.stderr
    assert Release.objects.count() == 1


def test_release_create_refuses_bad_input_and_changes_nothing(cli: Any, scenario: Any) -> None:
    not_a_number = _create(cli, scenario, "--eval-score", "high")
    assert not_a_number.returncode == 2 and "not a number: 'high'" in not_a_number.stderr
    out_of_range = _create(cli, scenario, "--eval-score", "12345")
    assert out_of_range.returncode == 1
    assert "400" in out_of_range.stderr and "eval_score:" in out_of_range.stderr
    missing = cli("release", "create", "--scenario", str(scenario.pk), "--model-name", "m")
    assert missing.returncode == 2 and "--alias" in missing.stderr
    assert not Release.objects.exists()


def test_release_create_as_someone_outside_the_team_is_refused(
    cli: Any, scenario: Any, outsider: Any
) -> None:
    done = _create(cli, scenario, token=token_create(outsider, name="ci")[1])
    assert done.returncode == 1 and "POST" in done.stderr
    assert not Release.objects.exists()


def test_release_submit_then_show(cli: Any, scenario: Any, author: Any) -> None:
    release = ReleaseFactory(scenario=scenario, author=author, alias_name="support-chat")
    done = cli("release", "submit", str(release.pk))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Release {release.pk} is submitted for its quality and cost sign-offs.\n"
    release.refresh_from_db()
    assert release.status == "submitted"

    # A re-run job submits again: the 409 of a release already submitted is not a failure.
    again = cli("release", "submit", str(release.pk), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "submitted"

    shown = cli("release", "show", str(release.pk))
    assert f"Release {release.pk}: {release.title}" in shown.stdout
    assert "status:    submitted (revision 1)" in shown.stdout
    assert (
        f"url:       http://localhost:{_port(shown.stdout)}/releases/{release.pk}/" in shown.stdout
    )
    assert json.loads(cli("release", "show", str(release.pk), "--json").stdout)["id"] == release.pk


def _port(text: str) -> str:
    return text.split("http://localhost:", 1)[1].split("/", 1)[0]


def test_release_submit_refused_prints_the_reason(cli: Any, scenario: Any, author: Any) -> None:
    type(scenario).objects.filter(pk=scenario.pk).update(cost_owner=None)
    release = ReleaseFactory(scenario=scenario, author=author, alias_name="support-chat")
    done = cli("release", "submit", str(release.pk))
    assert done.returncode == 1, done.stdout
    assert f"/api/v1/releases/{release.pk}/submit/: 400" in done.stderr
    assert "needs a cost owner" in done.stderr
    release.refresh_from_db()
    assert release.status == "draft"


def test_release_wait_exits_0_once_both_sign_offs_are_in(
    portal_server: Any, scenario: Any, author: Any, signers: Any
) -> None:
    release = _submitted(scenario, author)
    env = {"PORTAL_URL": portal_server.url, "PORTAL_TOKEN": token_create(author, name="ci")[1]}
    command = [str(PORTAL_COMMAND), "release", "wait", str(release.pk), "--interval", "0.2"]
    code, out, err = _run(command, env, portal_server, scenario, signers)
    assert code == 0, out + err
    assert out.startswith("Outcome: approved\n")
    assert "quality: approve by" in out and "cost: approve by" in out


def test_release_wait_exit_codes(cli: Any, scenario: Any, author: Any, quality_owner: Any) -> None:
    release = _submitted(scenario, author)
    timed_out = cli("release", "wait", str(release.pk), "--timeout", "0", "--json")
    assert timed_out.returncode == 4, timed_out.stderr
    assert json.loads(timed_out.stdout)["outcome"] == "timeout"
    assert f"Release {release.pk} is waiting for its sign-offs (given: none)" in timed_out.stderr

    release_services.release_sign_off(
        release.pk, actor=quality_owner, kind="quality", decision="reject", comment="Too slow."
    )
    rejected = cli("release", "wait", str(release.pk))
    assert rejected.returncode == 3, rejected.stderr
    assert rejected.stdout.startswith("Outcome: rejected\n")
    resubmitted = cli("release", "submit", str(release.pk))  # a re-run job: 409, not an error
    assert resubmitted.returncode == 0, resubmitted.stderr
    assert resubmitted.stdout == f"Release {release.pk} was submitted before; it is rejected.\n"

    draft = ReleaseFactory(scenario=scenario, author=author, alias_name="support-chat")
    not_submitted = cli("release", "wait", str(draft.pk))
    assert not_submitted.returncode == 5
    assert not_submitted.stdout.startswith("Outcome: not_submitted\n")


def test_missing_settings_and_bad_tokens(cli: Any, scenario: Any) -> None:
    no_token = cli("whoami", token="")
    assert no_token.returncode == 2 and "set PORTAL_TOKEN" in no_token.stderr
    no_url = cli("whoami", PORTAL_URL="")
    assert no_url.returncode == 2 and "set PORTAL_URL" in no_url.stderr
    bad_url = cli("whoami", "--url", "portal.example.com")
    assert bad_url.returncode == 2 and "must start with http://" in bad_url.stderr
    wrong_token = cli("whoami", token="not-a-token")
    assert wrong_token.returncode == 1 and "401" in wrong_token.stderr
    missing = cli("release", "show", "999999")
    assert missing.returncode == 1 and "404" in missing.stderr


def test_an_unreachable_portal_is_a_clear_error(cli: Any) -> None:
    done = cli("whoami", "--url", "http://127.0.0.1:9", "--retries", "0")
    assert done.returncode == 1
    assert "cannot reach the portal" in done.stderr
