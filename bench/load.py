"""Load benchmark: the portal under gunicorn at two data sizes, against bare Django and DRF views.

    make bench            # BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_SCALE=100 by default
    python bench/load.py --check   # every step but the load, on a small database, in a minute

Seeds two PostgreSQL databases (1x: 100 scenarios; 100x: 10,000, with proportional releases,
incidents and exceptions), serves each with gunicorn (2 sync workers, DEBUG off, production
settings minus HTTPS, `bench.settings` for the baseline views), and drives every endpoint with
wrk on loopback: a warm-up, then BENCH_SECONDS per run, BENCH_ROUNDS interleaved rounds. Prints
req/s, p50, p99, the ratio to the baseline view (the signed-in "ok" view for pages, the bare DRF
view for the API; each endpoint against the baseline runs just before and after its block of
endpoints; median of per-round ratios, with min-max spread), the ratio to plain Django (a view
with no middleware at all: the endpoint's ratio to its baseline times the baseline's to plain,
round by round), query and write counts at 1x and 100x (counted in-process with the Django test
client, after one warm-up request) and p50(100x)/p50(1x). BENCH_BASELINES_ONLY=1 runs only the
first block (plain Django, the signed-in "ok" view, the bare DRF view).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, recreate_database  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = int(os.environ.get("BENCH_SCALE", "100"))
BASE_SCENARIOS = int(os.environ.get("BENCH_BASE_SCENARIOS", "100"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
SIZES = {"1x": BASE_SCENARIOS, f"{SCALE}x": BASE_SCENARIOS * SCALE}
PORT = int(os.environ.get("BENCH_PORT", "8761"))
PORTS = {"1x": PORT, f"{SCALE}x": PORT + 1}
# The databases are recreated: DB_PREFIX_<size>.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench_load")
CHECK_SCENARIOS = 5
# The targets: ratio to the bare view by kind of page, and p50 growth from 1x to 100x.
# The approve POST (a write) has no ratio target; it is measured and reported.
TARGETS = {"html": 0.15, "api_list": 0.25, "api_detail": 0.40, "dashboard": 0.10}
GROWTH_TARGET = 1.25
# The signed-in "ok" view against plain Django, and what a signed-in GET may cost the database.
PLAIN_TARGETS = {"bare_html": 0.40}
OK_QUERY_TARGET = 1
BASELINES_ONLY = os.environ.get("BENCH_BASELINES_ONLY") == "1"

SERVER_ENV = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "SECURE_HSTS_SECONDS": "0",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "API_THROTTLE_USER": "100000000/minute",
    "API_THROTTLE_ANON": "100000000/minute",
    "LOG_LEVEL": "WARNING",
    # As in production: tasks are queued on Redis for workers elsewhere, not run in the request.
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}


def seed(size_label: str, scenarios: int) -> dict:
    """Seed a fresh database in a subprocess; returns the fixture ids it printed."""
    url = recreate_database(f"{DB_PREFIX}_{size_label}")
    out = subprocess.run(
        [sys.executable, "-m", "bench.seed", str(scenarios)],
        cwd=ROOT, env={**os.environ, **SERVER_ENV, "DATABASE_URL": url},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    info = json.loads(out.strip().splitlines()[-1])
    info["url"] = url
    return info


def count_queries(info: dict) -> dict[str, dict[str, int]]:
    """{"queries": {endpoint: n}, "writes": {endpoint: n}}."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as info_file:
        json.dump(info, info_file)
    out = subprocess.run(
        [sys.executable, "-m", "bench.seed", "--count-queries", info_file.name],
        cwd=ROOT, env={**os.environ, **SERVER_ENV, "DATABASE_URL": info["url"]},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def collect_static() -> None:
    """First of all: with DEBUG off, pages (the in-process query counts too) need the manifest
    of hashed static files, which a fresh clone does not have."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env={**os.environ, **SERVER_ENV}, check=True,
    )  # fmt: skip


def start_server(info: dict, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "bench.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **SERVER_ENV, "DATABASE_URL": info["url"]},
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


LUA_POST = """
local ids = {%s}
local i = 0
request = function()
  i = i + 1
  local id = ids[((i - 1) %% #ids) + 1]
  return wrk.format("POST", string.format("%s", id), nil, '%s')
end
"""
# Each POST run approves exceptions no earlier run touched: a cursor over the seeded ids.
_post_cursor: dict[int, int] = {}
POST_IDS_PER_RUN = 4000


def wrk(port: int, endpoint: dict, seconds: int) -> dict[str, float]:
    # One wrk thread drives far more than two sync workers serve, and keeps the POST ids in one
    # Lua state so no exception is approved twice.
    args = [
        "wrk",
        "-t",
        "1",
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for header in endpoint.get("headers", []):
        args += ["-H", header]
    script = None
    if endpoint.get("post_ids"):
        body = endpoint["body"].replace("'", "\\'")
        start = _post_cursor.get(port, 0)
        ids = endpoint["post_ids"][start : start + POST_IDS_PER_RUN]
        _post_cursor[port] = start + POST_IDS_PER_RUN
        lua = LUA_POST % (",".join(map(str, ids)), endpoint["path_format"], body)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua)
        args += ["-s", script.name]
    args.append(f"http://127.0.0.1:{port}{endpoint.get('path', '/')}")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": float(non2xx.group(1)) if non2xx else 0.0}


def endpoints(info: dict) -> dict[str, dict]:
    html = [f"Cookie: sessionid={info['session']}"]
    api = [f"Authorization: Token {info['token']}"]
    approve_api = [
        f"Authorization: Token {info['approver_token']}",
        "Content-Type: application/json",
    ]
    return {
        "plain Django view": {"path": "/bench/plain/", "headers": html, "kind": "plain"},
        "signed-in ok view": {"path": "/bench/ok/", "headers": html, "kind": "bare_html"},
        "bare DRF view": {"path": "/api/v1/bench/bare/", "headers": api, "kind": "bare_api"},
        "sign-in page": {"path": "/login/", "kind": "html"},
        "scenario list": {"path": "/scenarios/", "headers": html, "kind": "html"},
        "scenario detail": {"path": f"/scenarios/{info['scenario']}/", "headers": html, "kind": "html"},
        "releases inbox": {"path": info["inbox_path"], "headers": html, "kind": "html"},
        "release detail": {"path": f"/releases/{info['release']}/", "headers": html, "kind": "html"},
        "dashboard": {"path": "/dashboard/", "headers": html, "kind": "dashboard"},
        "API scenario list": {"path": "/api/v1/scenarios/", "headers": api, "kind": "api_list"},
        "API release detail": {"path": f"/api/v1/releases/{info['release']}/", "headers": api, "kind": "api_detail"},
        "approve POST (exception)": {
            "path": "/", "headers": approve_api, "kind": "api_write",
            "post_ids": info["approve_ids"], "path_format": "/api/v1/exceptions/%d/approve/",
            "body": json.dumps({"expires_on": info["expires_on"], "comment": "bench"}),
        },
    }  # fmt: skip


# Each block of endpoints runs between two runs of its bare view, and each endpoint's ratio is
# to the mean of those two: on a shared machine the throughput drifts over minutes, and a bare run
# measured next to the endpoint sees the same machine the endpoint saw.
# The first block measures both baselines against plain Django; every other endpoint's ratio to
# plain Django is its ratio to its baseline times that.
BLOCKS = (
    ("plain Django view", ("signed-in ok view", "bare DRF view")),
    ("signed-in ok view", ("sign-in page", "scenario list", "scenario detail")),
    ("signed-in ok view", ("releases inbox", "release detail", "dashboard")),
    ("bare DRF view", ("API scenario list", "API release detail", "approve POST (exception)")),
)
BASELINE = {name: bare for bare, names in BLOCKS for name in names}


def run_round(port: int, info: dict, results: dict, label: str) -> None:
    """One round at one size: every block, with a bare run before and after it (a bare run that
    ends one block starts the next when both use the same bare view)."""
    all_endpoints = endpoints(info)
    blocks = BLOCKS[:1] if BASELINES_ONLY else BLOCKS

    def measure(name: str) -> dict[str, float]:
        wrk(port, all_endpoints[name], 2)  # warm-up
        return wrk(port, all_endpoints[name], SECONDS)

    previous_bare, previous_run = "", dict[str, float]()
    for bare, names in blocks:
        if bare == previous_bare:
            before = previous_run
        else:
            before = measure(bare)
            results.setdefault((label, bare), []).append(before)
        runs = {name: measure(name) for name in names}
        after = measure(bare)
        results.setdefault((label, bare), []).append(after)
        for name, run in runs.items():
            run["bare_rps"] = (before["rps"] + after["rps"]) / 2
            results.setdefault((label, name), []).append(run)
        previous_bare, previous_run = bare, after


def request(port: int, endpoint: dict) -> int:
    """One request to an endpoint (the approve POST on its first id); returns the status."""
    path, data = endpoint.get("path", "/"), None
    if endpoint.get("post_ids"):
        path, data = endpoint["path_format"] % endpoint["post_ids"][0], endpoint["body"].encode()
    headers = dict(header.split(": ", 1) for header in endpoint.get("headers", []))
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def check() -> None:
    """Every step of the benchmark but the load, on a small database: static files, seed, query
    counts, gunicorn, one request per endpoint. Exits 1 when any step or endpoint fails, or when
    the signed-in "ok" view runs more than OK_QUERY_TARGET queries or any write."""
    collect_static()
    info = seed("check", CHECK_SCENARIOS)
    counts = count_queries(info)
    server = start_server(info, PORT)
    try:
        statuses = {name: request(PORT, e) for name, e in endpoints(info).items()}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    failed = 0
    for name, status in statuses.items():
        queries, writes = counts["queries"].get(name, 0), counts["writes"].get(name, 0)
        ok = status < 400 and queries >= 0
        if name == "signed-in ok view":
            ok = ok and queries <= OK_QUERY_TARGET and writes == 0
        failed += not ok
        print(
            f"{name:26} HTTP {status}  queries {counts['queries'].get(name, '-')}  "
            f"writes {counts['writes'].get(name, '-')}  {'ok' if ok else 'FAILED'}"
        )
    sys.exit(1 if failed else 0)


def main() -> None:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    collect_static()
    infos = {label: seed(label, n) for label, n in SIZES.items()}
    queries = {label: count_queries(info) for label, info in infos.items()}
    servers = {label: start_server(info, PORTS[label]) for label, info in infos.items()}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        for round_no in range(ROUNDS):
            for label, info in infos.items():
                run_round(PORTS[label], info, results, label)
            print(f"round {round_no + 1}/{ROUNDS} done", flush=True)
    finally:
        for proc in servers.values():
            os.killpg(proc.pid, signal.SIGTERM)
    report(infos, queries, results)


def ratios(runs: list[dict[str, float]]) -> list[float]:
    """Per-round ratios to the bare runs on either side of the endpoint's block."""
    return [run["rps"] / run["bare_rps"] for run in runs if "bare_rps" in run]


def plain_ratios(results: dict, label: str, name: str) -> list[float]:
    """Per-round ratios to plain Django: to the baseline, times the baseline's to plain."""
    baseline = BASELINE.get(name)
    if baseline is None:
        return []
    own = ratios(results.get((label, name), []))
    if baseline == "plain Django view":
        return own
    return [a * b for a, b in zip(own, ratios(results[(label, baseline)]), strict=False)]


def _shown(ratio: list[float]) -> str:
    if not ratio:
        return f"{'-':>6}{'':12}"
    return f"{statistics.median(ratio):6.2f} ({min(ratio):.2f}-{max(ratio):.2f})"


def report(infos: dict, counts: dict, results: dict) -> None:
    small, large = list(SIZES)
    print(
        f"\nEndpoint results: wrk -c{CONNECTIONS} -d{SECONDS}s x {ROUNDS} rounds, gunicorn 2 sync workers"
    )
    print(
        "ratio: to the endpoint's baseline (signed-in ok view or bare DRF view); plain: to plain Django"
    )
    header = f"{'endpoint':26} {'size':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio (spread)':>18} {'plain (spread)':>18} {'queries':>8} {'writes':>7} {'non-2xx':>8}"
    print(header)
    print("-" * len(header))
    for name, endpoint in endpoints(infos[small]).items():
        if (small, name) not in results:
            continue
        for label in (small, large):
            runs = results[(label, name)]
            print(
                f"{name:26} {label:>5} {statistics.median(r['rps'] for r in runs):8.1f} "
                f"{statistics.median(r['p50'] for r in runs):8.2f} {statistics.median(r['p99'] for r in runs):8.2f} "
                f"{_shown(ratios(runs) if BASELINE.get(name) != 'plain Django view' else []):>18} "
                f"{_shown(plain_ratios(results, label, name)):>18} "
                f"{counts[label]['queries'].get(name, '-'):>8} {counts[label]['writes'].get(name, '-'):>7} "
                f"{int(sum(r['errors'] for r in runs)):>8}"
            )
        print(f"{'':26} {verdicts(name, endpoint['kind'], counts, results)}")


def verdicts(name: str, kind: str, counts: dict, results: dict) -> str:
    small, large = list(SIZES)
    p50s = {
        label: statistics.median(r["p50"] for r in results[(label, name)])
        for label in (small, large)
    }
    flat = counts[small]["queries"].get(name) == counts[large]["queries"].get(name)
    growth = p50s[large] / p50s[small] if p50s[small] else float("inf")
    line = f"p50({large})/p50({small}) = {growth:.2f}; queries flat: {'yes' if flat else 'NO'}"
    target = TARGETS.get(kind)
    if target:
        met = all(
            statistics.median(ratios(results[(label, name)])) >= target for label in (small, large)
        )
        line += f"; ratio target >= {target}: {'met' if met else 'MISSED'}"
    plain_target = PLAIN_TARGETS.get(kind)
    if plain_target:
        met = all(
            statistics.median(plain_ratios(results, label, name)) >= plain_target
            for label in (small, large)
        )
        cheap = all(
            counts[label]["queries"].get(name, 99) <= OK_QUERY_TARGET
            and counts[label]["writes"].get(name, 99) == 0
            for label in (small, large)
        )
        line += f"; plain target >= {plain_target}: {'met' if met else 'MISSED'}"
        line += f"; <= {OK_QUERY_TARGET} query, 0 writes: {'met' if cheap else 'MISSED'}"
    if kind not in ("plain", "bare_html", "bare_api"):
        line += (
            f"; growth target <= {GROWTH_TARGET}: {'met' if growth <= GROWTH_TARGET else 'MISSED'}"
        )
    return line


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    else:
        main()
