"""The operating dashboard, its drill-down lists, the CSV export and the scorecard."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from dashboard import policies, scorecard, snapshots
from dashboard.drilldowns import DRILLDOWNS, rows_for
from dashboard.forms import ScorecardForm, WindowForm
from portal.core.auth import actor
from portal.core.csv_writer import SafeWriter
from portal.core.pagination import paginate

PAGE_SIZE = 50


def _window_form(request: HttpRequest) -> WindowForm:
    return WindowForm(request.GET or None)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every operating metric for the chosen window and team."""
    form = _window_form(request)
    snapshot = snapshots.figures(*form.chosen())
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "form": form,
            "window": snapshot.window,
            "metrics": snapshot.metrics,
            "figures_key": snapshot.key,
            "cache_seconds": snapshots.cache_seconds(),
            "query": form.querystring(),
            "can_export": policies.can_export(actor(request)),
        },
    )


@require_GET
def metrics_csv(request: HttpRequest) -> HttpResponse:
    """The metrics table as CSV: one row per figure, with the previous window and the change."""
    if not policies.can_export(actor(request)):
        raise PermissionDenied(gettext("Only admins export CSV."))
    form = _window_form(request)
    snapshot = snapshots.figures(*form.chosen())
    window = snapshot.window
    team = window.team.slug if window.team is not None else "all"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="operating-metrics-{window.days}d-{team}-{window.end:%Y%m%d}.csv"'
    )
    writer = SafeWriter(response)
    writer.writerow(
        ["metric", "figure", "unit", "value", "previous", "change", "window_days", "team", "end"]
    )
    for metric in snapshot.metrics:
        for figure in metric.figures:
            writer.writerow(
                [
                    metric.key,
                    figure.key,
                    figure.unit,
                    _csv_number(figure.value),
                    _csv_number(figure.previous),
                    _csv_number(figure.change),
                    window.days,
                    team,
                    window.end.isoformat(),
                ]
            )
        # Platform wait: each stage by reviewer and by team (this window only).
        for row in metric.tables:
            with translation.override(None):  # a key, the same in every language
                name = str(row["name"])
            for stat, unit in (("count", "count"), ("median", "hours"), ("p90", "hours"),
                               ("past_sla", "percent")):  # fmt: skip
                writer.writerow(
                    [
                        metric.key,
                        f"{row['stage']}_{stat}[{row['by']}={name}]",
                        unit,
                        _csv_number(row[stat]),
                        "",
                        "",
                        window.days,
                        team,
                        window.end.isoformat(),
                    ]
                )
    return response


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


@require_GET
def drill_down(request: HttpRequest, key: str) -> HttpResponse:
    """Exactly the rows a figure counted, for the same window and team, ending where the
    figures on the dashboard end."""
    drill = DRILLDOWNS.get(key)
    if drill is None:
        raise Http404("No such metric.")
    form = _window_form(request)
    window = snapshots.window_as_of(*form.chosen())
    paged = paginate(request, rows_for(drill, window, request.GET))
    page = paged["page_obj"]
    rows = [
        [(column.value(row), column.link(row) if column.link else "") for column in drill.columns]
        for row in page.object_list
    ]
    return render(
        request,
        "dashboard/drill_down.html",
        {
            "drill": drill,
            "form": form,
            "window": window,
            "query": form.querystring(),
            **paged,
            "rows": rows,
            "breakdown": drill.breakdown(window) if drill.breakdown else [],
            "active_filters": {f.name: request.GET.get(f.name, "") for f in drill.filters},
        },
    )


@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    """Every active scenario's checklist, sortable, with the organisation-wide pass rate."""
    form = ScorecardForm(request.GET or None)
    team, sort = form.values()
    paged = paginate(request, scorecard.active_scorecards(team, sort))
    return render(
        request,
        "dashboard/scorecard.html",
        {
            **paged,
            "form": form,
            "cards": [scorecard.evaluate(row) for row in paged["page_obj"].object_list],
            "rates": scorecard.pass_rates(team),
            "items": scorecard.ITEMS,
        },
    )
