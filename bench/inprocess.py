"""One endpoint served in-process by the bench's WSGI application, against plain Django.

    python bench/inprocess.py DATABASE_URL PATH [--user bench-quality] [--requests N]
                              [--rounds R] [--profile] [--cpu] [--queries]

No gunicorn and no HTTP: each request is a WSGI call, so what is measured is the portal's own
Python (middleware, view, template) and its database and Redis round trips. Rounds alternate
the endpoint with `/bench/plain/` and print both rates and their ratio; `--profile` runs the
endpoint under cProfile instead and prints the 30 most expensive functions (cumulative);
`--queries` times each SQL statement the endpoint runs (mean over `--requests` requests) and
prints them slowest first, with the request's total wall time beside, to show which query grows
with the data.
Run it against a database `bench/load.py` seeded (its databases stay after a run); the user
(the seed's quality owner by default) is signed in first, under the bench's server environment
(Redis as the cache: `BENCH_REDIS_URL`)."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _environ(path: str, session: str) -> dict[str, Any]:
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": f"sessionid={session}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def _driver(app: Callable[..., Iterable[bytes]], path: str, session: str) -> Callable[[], int]:
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    def one() -> int:
        body = app(_environ(path, session), start_response)
        for _chunk in body:
            pass
        getattr(body, "close", lambda: None)()
        return int(statuses.pop()[:3])

    return one


def rate(
    one: Callable[[], int], requests: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Requests a second; with `time.process_time`, per second of this process's CPU, which a
    loaded machine disturbs far less than the wall clock (it leaves out the database's and
    Redis's time)."""
    started = clock()
    for _ in range(requests):
        status = one()
        if status >= 400:
            raise SystemExit(f"HTTP {status}")
    return requests / (clock() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--user", default="bench-quality")
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="rates per CPU second, not wall")
    parser.add_argument("--queries", action="store_true", help="time each SQL statement")
    args = parser.parse_args()
    from bench.load import SERVER_ENV

    os.environ.update({**SERVER_ENV, "DATABASE_URL": args.database_url})
    from django.test import Client

    from bench.wsgi import application
    from portal.core.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.user))
    args.session = client.cookies["sessionid"].value
    endpoint = _driver(application, args.path, args.session)
    plain = _driver(application, "/bench/plain/", args.session)
    for _ in range(50):
        endpoint(), plain()
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(rate, endpoint, args.requests)
        if os.environ.get("PROFILE_OUT"):
            profile.dump_stats(os.environ["PROFILE_OUT"])
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(
            os.environ.get("PROFILE_SORT", "cumulative")
        ).print_stats(30)
        print(out.getvalue())
        return
    if args.queries:
        _time_queries(endpoint, args.requests)
        return
    clock = time.process_time if args.cpu else time.perf_counter
    unit = "req/CPU-s" if args.cpu else "req/s"
    for round_no in range(args.rounds):
        plain_rate = rate(plain, args.requests, clock)
        endpoint_rate = rate(endpoint, args.requests, clock)
        print(
            f"round {round_no + 1}: plain {plain_rate:8.0f} {unit}  {args.path} "
            f"{endpoint_rate:8.1f} {unit}  ratio {endpoint_rate / plain_rate:.3f}",
            flush=True,
        )


def _time_queries(one: Callable[[], int], requests: int) -> None:
    """Each statement's mean time per request, slowest first (statements keyed by their
    position in the request, since a page's statements run in the same order each time)."""
    from django.db import connection

    spent: dict[int, list[float]] = {}
    sql_at: dict[int, str] = {}
    position = [0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            at = position[0]
            position[0] += 1
            spent.setdefault(at, []).append(time.perf_counter() - started)
            sql_at.setdefault(at, sql)

    total = 0.0
    with connection.execute_wrapper(timed):
        for _ in range(requests):
            position[0] = 0
            started = time.perf_counter()
            one()
            total += time.perf_counter() - started
    in_sql = sum(sum(times) for times in spent.values()) / requests
    print(f"request {total / requests * 1000:8.2f} ms, of which SQL {in_sql * 1000:8.2f} ms")
    for at, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
        mean = sum(times) / len(times) * 1000
        print(f"{mean:8.3f} ms  #{at:<3} {' '.join(sql_at[at].split())[:160]}")


if __name__ == "__main__":
    main()
