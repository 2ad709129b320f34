"""`portal`: the portal's API from a shell or a CI job.

Settings come from the environment: PORTAL_URL (or --url) and PORTAL_TOKEN, a personal API token.
Every command prints text for people, or the API's JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from portal_sdk.client import URL_VARIABLE, APIError, ConfigError, PortalClient, WaitOutcome
from portal_sdk.endpoints import RELEASE_WAITING
from portal_sdk.types import Release, ReleaseDraft

EXIT_OK = 0
EXIT_ERROR = 1  # the API refused (its message is printed) or could not be reached
EXIT_USAGE = 2  # bad arguments or missing settings
EXIT_REJECTED = 3
EXIT_TIMEOUT = 4
EXIT_NOT_SUBMITTED = 5
WAIT_EXIT_CODES = {
    WaitOutcome.APPROVED: EXIT_OK,
    WaitOutcome.REJECTED: EXIT_REJECTED,
    WaitOutcome.TIMEOUT: EXIT_TIMEOUT,
    WaitOutcome.NOT_SUBMITTED: EXIT_NOT_SUBMITTED,
}

EPILOG = f"""\
environment:
  PORTAL_URL     the portal, e.g. https://portal.example.com (or --url)
  PORTAL_TOKEN   a personal API token (Profile and API tokens, /profile/)

exit codes:
  {EXIT_OK}  done; `release wait`: the release is approved
  {EXIT_ERROR}  the API refused the request or could not be reached (the reason is printed)
  {EXIT_USAGE}  bad arguments or missing settings
  {EXIT_REJECTED}  `release wait`: the release was rejected
  {EXIT_TIMEOUT}  `release wait`: still waiting for its sign-offs when --timeout passed
  {EXIT_NOT_SUBMITTED}  `release wait`: the release is a draft, not submitted
"""

# A release draft's optional fields, each an option (`--eval-score`); decimals are checked
# before anything is sent.
DRAFT_TEXT_FIELDS = (
    "title", "change_type", "model_version", "prompt_family", "prompt_version", "runtime",
    "runtime_version", "tool_changes", "changelog", "eval_run_ref", "eval_dataset",
)  # fmt: skip
DRAFT_DECIMAL_FIELDS = ("eval_score", "eval_coverage", "cost_per_request", "accepted_outcome_rate")

Handler = Callable[[PortalClient, argparse.Namespace, TextIO], int]


def _decimal(text: str) -> str:
    try:
        Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return text


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def whoami(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    me = client.me()
    if args.json:
        _print_json(me, out)
        return EXIT_OK
    out.write(f"{me['username']} ({me['name']}) on {client.url}\n")
    out.write(f"  roles: {', '.join(me['roles']) or 'none'}\n")
    out.write(f"  teams: {', '.join(me['teams']) or 'none'}\n")
    return EXIT_OK


def scenario_list(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    rows = list(
        client.scenarios(status=args.status, team=args.team, search=args.search, limit=args.limit)
    )
    if args.json:
        _print_json(rows, out)
        return EXIT_OK
    for row in rows:
        out.write(f"{row['id']:>6}  {row['status']:<17}  {row['team']:<20}  {row['name']}\n")
    if not rows:
        out.write("No scenarios.\n")
    return EXIT_OK


def scenario_record(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        _print_json(client.decision_record(args.id), out)
    else:
        out.write(client.decision_record_markdown(args.id))
    return EXIT_OK


def _describe(client: PortalClient, release: Release, out: TextIO) -> None:
    gate = release["eval_gate"]
    out.write(f"Release {release['id']}: {release['title'] or release['model_name']}\n")
    out.write(f"  scenario:  {release['scenario']} {release['scenario_name']}\n")
    out.write(f"  status:    {release['status']} (revision {release['revision']})\n")
    out.write(f"  model:     {release['model_name']} {release['model_version']}".rstrip())
    out.write(f" on alias {release['alias_name']}\n")
    out.write(f"  eval gate: {gate['outcome']}: {gate['message']}\n")
    for signoff in release["signoffs"]:
        if signoff["counts"]:
            who = signoff["actor"]["name"] if signoff["actor"] else "the system (fast path)"
            out.write(f"  {signoff['kind']}: {signoff['decision']} by {who}\n")
    out.write(f"  url:       {client.absolute(release['url'])}\n")


def release_show(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    release = client.release(args.id)
    if args.json:
        _print_json(release, out)
    else:
        _describe(client, release, out)
    return EXIT_OK


def release_create(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    draft: ReleaseDraft = {
        "scenario": args.scenario,
        "model_name": args.model_name,
        "alias_name": args.alias_name,
    }
    values = vars(args)
    for name in DRAFT_TEXT_FIELDS + DRAFT_DECIMAL_FIELDS:
        if values[name] is not None:
            draft[name] = values[name]  # type: ignore[literal-required]
    created = client.release_create(draft, idempotency_key=args.idempotency_key)
    release = created.release
    if args.json:
        _print_json(release, out)
    elif args.quiet:
        out.write(f"{release['id']}\n")
    else:
        verb = "already created by an earlier run with this key" if created.replayed else "created"
        out.write(f"Release {release['id']} {verb} ({release['status']}): ")
        out.write(f"{client.absolute(release['url'])}\n")
    return EXIT_OK


def release_submit(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    release = client.release_submit(args.id, comment=args.comment)
    if args.json:
        _print_json(release, out)
    elif release["status"] == RELEASE_WAITING:
        out.write(f"Release {args.id} is submitted for its quality and cost sign-offs.\n")
    else:  # a re-run job finds it decided already: that is what was asked
        out.write(f"Release {args.id} was submitted before; it is {release['status']}.\n")
    return EXIT_OK


def release_wait(client: PortalClient, args: argparse.Namespace, out: TextIO) -> int:
    def progress(release: Release) -> None:
        given = sorted({s["kind"] for s in release["signoffs"] if s["counts"]})
        sys.stderr.write(
            f"Release {release['id']} is waiting for its sign-offs"
            f" (given: {', '.join(given) or 'none'})\n"
        )

    result = client.release_wait(
        args.id, timeout=args.timeout, interval=args.interval, on_poll=progress
    )
    if args.json:
        _print_json({"outcome": result.outcome.value, "release": result.release}, out)
    else:
        out.write(f"Outcome: {result.outcome.value}\n")
        _describe(client, result.release, out)
    return WAIT_EXIT_CODES[result.outcome]


def _positive(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _release_commands(groups: Any, common: argparse.ArgumentParser) -> None:
    release = groups.add_parser("release", help="model and prompt releases")
    commands = release.add_subparsers(dest="command", required=True, metavar="COMMAND")

    create = commands.add_parser("create", parents=[common], help="draft a release")
    create.add_argument("--scenario", type=int, required=True, help="the scenario's id")
    create.add_argument("--model-name", dest="model_name", required=True)
    create.add_argument("--alias", dest="alias_name", required=True, help="gateway model alias")
    for name in DRAFT_TEXT_FIELDS:
        create.add_argument("--" + name.replace("_", "-"), dest=name)
    for name in DRAFT_DECIMAL_FIELDS:
        create.add_argument("--" + name.replace("_", "-"), dest=name, type=_decimal)
    create.add_argument(
        "--idempotency-key",
        help="one per intended release, e.g. release-$CI_PIPELINE_ID: a re-run returns the "
        "release created first (default: a fresh key, so only this command's own retries are safe)",
    )
    create.add_argument("-q", "--quiet", action="store_true", help="print only the new id")
    create.set_defaults(handler=release_create)

    submit = commands.add_parser("submit", parents=[common], help="submit a draft for sign-off")
    submit.add_argument("id", type=int)
    submit.add_argument("--comment", default="")
    submit.set_defaults(handler=release_submit)

    show = commands.add_parser("show", parents=[common], help="a release and its sign-offs")
    show.add_argument("id", type=int)
    show.set_defaults(handler=release_show)

    wait = commands.add_parser(
        "wait", parents=[common], help="wait for the quality and cost sign-offs (see exit codes)"
    )
    wait.add_argument("id", type=int)
    wait.add_argument("--timeout", type=_positive, default=3600.0, help="seconds (3600)")
    wait.add_argument("--interval", type=_positive, default=30.0, help="seconds between polls")
    wait.set_defaults(handler=release_wait)


def _scenario_commands(groups: Any, common: argparse.ArgumentParser) -> None:
    scenario = groups.add_parser("scenario", help="scenarios and their decision records")
    commands = scenario.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", parents=[common], help="scenarios you may see")
    listing.add_argument("--status")
    listing.add_argument("--team", help="the team's slug")
    listing.add_argument("--search")
    listing.add_argument("--limit", type=int, help="at most this many")
    listing.set_defaults(handler=scenario_list)
    record = commands.add_parser(
        "record", parents=[common], help="the decision record (Markdown; JSON with --json)"
    )
    record.add_argument("id", type=int)
    record.set_defaults(handler=scenario_record)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the API's JSON")
    common.add_argument("--url", help=f"the portal (default: ${URL_VARIABLE})")
    common.add_argument(
        "--retries",
        type=int,
        default=5,
        help="retries of a failed connection or a 429/502/503/504 answer, with backoff (5)",
    )
    root = argparse.ArgumentParser(
        prog="portal",
        description="The AI Operating Model Portal's API for pipelines.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groups = root.add_subparsers(dest="group", required=True, metavar="COMMAND")
    who = groups.add_parser("whoami", parents=[common], help="who the token acts as")
    who.set_defaults(handler=whoami)
    _scenario_commands(groups, common)
    _release_commands(groups, common)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        environ = dict(os.environ)
        if args.url:
            environ[URL_VARIABLE] = args.url
        client = PortalClient.from_env(environ, retries=args.retries)
        return handler(client, args, sys.stdout)
    except ConfigError as error:
        sys.stderr.write(f"portal: {error}\n")
        return EXIT_USAGE
    except APIError as error:
        sys.stderr.write(f"portal: {error}\n")
        return EXIT_ERROR
    except OSError as error:  # requests' connection errors and timeouts are OSErrors
        sys.stderr.write(f"portal: cannot reach the portal: {error}\n")
        return EXIT_ERROR
