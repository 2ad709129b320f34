"""Eval evidence: a release's eval run read from the MLflow tracking server's REST API.

The portal reads only the server it is configured with (`settings.EVAL_EVIDENCE`), never one a
release names, so a run reference cannot make it call anywhere else. A read gives the metrics
(score and coverage, by the scenario's metric names or the platform defaults) and the dataset
(a run parameter), or the reason it failed: no run named, run not found, metric missing, server
unreachable. An unreachable server is a wait to retry, never a pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from releases.models import EvalReading, Release, ScenarioReleaseSettings

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
RUN_IN_URL = re.compile(r"/runs/([0-9a-f]{32})(?:[/?#]|$)")
UNREACHABLE = "server_unreachable"


def _format(message: str, values: dict[str, Any]) -> str:
    return gettext(message) % values


_lazy_format = lazy(_format, str)


def _said(message: str, **values: Any) -> str:
    """`message` (marked with gettext_noop) with its values, put into words when it is read: a
    reading keeps it in the portal's own language, a refusal speaks the reader's."""
    return cast(str, _lazy_format(message, values))


def _config() -> dict[str, Any]:
    value: dict[str, Any] = settings.EVAL_EVIDENCE
    return value


@dataclass(frozen=True)
class EvalSettings:
    """The rules one scenario's evidence follows: the platform defaults, with its overrides."""

    required: bool
    score_metric: str
    coverage_metric: str
    dataset_param: str
    fast_path_enabled: bool


def settings_for(scenario: Any) -> EvalSettings:
    """The scenario's settings (ScenarioReleaseSettings) over the platform defaults."""
    config = _config()
    own = ScenarioReleaseSettings.objects.filter(scenario=scenario).first()
    verification = own.eval_verification if own else ""
    return EvalSettings(
        required=(
            bool(config["REQUIRED"])
            if verification == ScenarioReleaseSettings.Verification.PLATFORM
            else verification == ScenarioReleaseSettings.Verification.REQUIRED
        ),
        score_metric=(own and own.score_metric) or config["SCORE_METRIC"],
        coverage_metric=(own and own.coverage_metric) or config["COVERAGE_METRIC"],
        dataset_param=(own and own.dataset_param) or config["DATASET_PARAM"],
        fast_path_enabled=own.fast_path_enabled if own else True,
    )


@dataclass(frozen=True)
class EvalRead:
    """One read of an eval run: what it says, or why it could not be read."""

    server: str
    run_id: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    dataset: str = ""
    error_code: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error_code

    def score(self, rules: EvalSettings) -> Decimal | None:
        return _decimal(self.metrics.get(rules.score_metric))

    def coverage(self, rules: EvalSettings) -> Decimal | None:
        return _decimal(self.metrics.get(rules.coverage_metric))


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def run_id_of(reference: str, server: str) -> str:
    """The run id in a release's reference: the id itself, or a run URL on the portal's server.
    "" when it is neither."""
    reference = reference.strip()
    if RUN_ID.match(reference):
        return reference
    found = RUN_IN_URL.search(reference)
    if found and server and urlsplit(reference).netloc == urlsplit(server).netloc:
        return found.group(1)
    return ""


def read_run(reference: str, rules: EvalSettings) -> EvalRead:
    """Read the run from the MLflow server: metrics, dataset, or the reason it failed."""
    server = str(_config()["MLFLOW_URL"])
    if not server:
        return EvalRead(
            server,
            error_code="not_configured",
            error=_said(gettext_noop("No eval server is configured.")),
        )
    run_id = run_id_of(reference, server)
    if not run_id:
        return EvalRead(
            server,
            error_code="bad_reference",
            error=_said(
                gettext_noop(
                    "Name the eval run by its MLflow run id or its run URL on %(server)s."
                ),
                server=server,
            ),
        )
    try:
        response = requests.get(
            f"{server}/api/2.0/mlflow/runs/get",
            params={"run_id": run_id},
            timeout=float(_config()["TIMEOUT_SECONDS"]),
        )
    except requests.RequestException as exc:
        error = _said(_UNREACHABLE, server=server, detail=exc)
        return EvalRead(server, run_id, error_code=UNREACHABLE, error=error)
    if response.status_code in (400, 404):
        error = _said(gettext_noop("Eval run %(run_id)s not found."), run_id=run_id)
        return EvalRead(server, run_id, error_code="run_not_found", error=error)
    if response.status_code >= 300:
        error = _said(_ANSWERED, server=server, status=response.status_code)
        return EvalRead(server, run_id, error_code=UNREACHABLE, error=error)
    return _from_run(server, run_id, response.json().get("run", {}), rules)


_UNREACHABLE = gettext_noop(
    "The eval server %(server)s could not be reached (%(detail)s); try again later."
)
_ANSWERED = gettext_noop(
    "The eval server %(server)s could not be reached (answered HTTP %(status)s); try again later."
)


def _from_run(server: str, run_id: str, run: dict[str, Any], rules: EvalSettings) -> EvalRead:
    data = run.get("data", {})
    metrics = {m["key"]: float(m["value"]) for m in data.get("metrics", [])}
    params = {p["key"]: p["value"] for p in data.get("params", [])}
    dataset = params.get(rules.dataset_param, "")
    missing = [name for name in (rules.score_metric, rules.coverage_metric) if name not in metrics]
    if missing:
        return EvalRead(
            server,
            run_id,
            metrics,
            dataset,
            error_code="metric_missing",
            error=_said(
                gettext_noop("Eval run %(run_id)s has no metric %(names)s."),
                run_id=run_id,
                names=" or ".join(missing),
            ),
        )
    return EvalRead(server, run_id, metrics, dataset)


def read_for(release: Release) -> EvalRead | None:
    """Read the release's eval run, or None when it names none."""
    if not release.eval_run_ref.strip():
        return None
    return read_run(release.eval_run_ref, settings_for(release.scenario))


def latest(release: Any, stage: str) -> EvalReading | None:
    return (
        EvalReading.objects.filter(release=release, revision=release.revision, stage=stage)
        .order_by("-read_at", "-id")
        .first()
    )


def changed_since_signoff_reason(release: Any) -> str:
    """A guard on `release`: why a verified release may not be released because its eval run's
    metrics differ from what the quality sign-off read, or "". The release service reads the
    run again just before it releases, so this compares the sign-off with that latest read."""
    if not release.eval_verified:
        return ""
    before, now = (
        latest(release, EvalReading.Stage.QUALITY),
        latest(release, EvalReading.Stage.RELEASE),
    )
    if before is None or now is None or now.error_code == UNREACHABLE:
        return ""
    if not now.ok:
        return gettext(
            "The eval run read at the quality sign-off can no longer be read: %(error)s"
        ) % {"error": now.error}
    if now.metrics != before.metrics or now.dataset != before.dataset:
        return gettext(
            "The metrics of eval run %(run_id)s changed after the quality sign-off (then "
            "%(then)s, now %(now)s): release blocked; revise the release or restore the run."
        ) % {"run_id": now.run_id, "then": before.metrics, "now": now.metrics}
    return ""


@dataclass(frozen=True)
class Evidence:
    """Where a release's eval results come from, as pages, the API and records say it."""

    source: str  # "mlflow" or "self_reported"
    reading: EvalReading | None  # the latest successful read of the current revision

    @property
    def label(self) -> str:
        if self.reading is None:
            return gettext("self-reported")
        return gettext("verified from MLflow run %(run_id)s") % {"run_id": self.reading.run_id}


def evidence_of(release: Any) -> Evidence:
    """The release's evidence: the latest successful reading when verified, else self-reported."""
    if not release.eval_verified:
        return Evidence("self_reported", None)
    reading = (
        EvalReading.objects.filter(release=release, revision=release.revision, error_code="")
        .order_by("-read_at", "-id")
        .first()
    )
    return Evidence("mlflow" if reading else "self_reported", reading)
