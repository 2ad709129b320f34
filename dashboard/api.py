"""The metrics and scorecard API: the same numbers as the pages, as JSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard import scorecard, snapshots
from dashboard.forms import ScorecardForm, WindowForm
from dashboard.serializers import (
    MetricsSerializer,
    ScorecardPageSerializer,
    ScorecardSerializer,
)
from dashboard.windows import WINDOWS
from portal.core.api_conventions import ERRORS, PageNumberPagination
from portal.core.auth import actor
from scenarios.models import Scenario
from scenarios.selectors import get_scenario_for

TEAM = OpenApiParameter("team", OpenApiTypes.STR, description="Team slug; all teams if absent.")
WINDOW = OpenApiParameter(
    "days", OpenApiTypes.INT, enum=list(WINDOWS), description="Window length (default 90)."
)
SORT = OpenApiParameter("sort", OpenApiTypes.STR, enum=[k for k, _ in ScorecardForm.SORTS])
READ_ERRORS = {400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}


def _valid(form: Any) -> Any:
    if not form.is_valid():
        # The API's convention: a list of messages per field, as for serializers.
        raise exceptions.ValidationError(
            {name: list(errors) for name, errors in form.errors.items()}
        )
    return form


class MetricsView(APIView):
    """Every operating metric for a window of 30, 90 or 365 days, optionally for one team: the
    value, the previous window's value, the change, and the weekly series. The figures are the
    dashboard page's: computed at most once per cache period (60 seconds by default); the
    window's end is when they were computed."""

    @extend_schema(parameters=[WINDOW, TEAM], responses={200: MetricsSerializer, **READ_ERRORS})
    def get(self, request: Request) -> Response:
        form = _valid(WindowForm(request.query_params))
        snapshot = snapshots.figures(*form.chosen())
        data = {"window": snapshot.window, "metrics": snapshot.metrics}
        context = {"query": form.querystring()}
        return Response(MetricsSerializer(data, context=context).data)


class ScorecardListView(APIView):
    """The checklist of every active scenario, paginated, with the organisation-wide pass rate
    of each item."""

    @extend_schema(
        operation_id="scorecard_list",
        parameters=[TEAM, SORT, OpenApiParameter("page", OpenApiTypes.INT)],
        responses={200: ScorecardPageSerializer, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        form = _valid(ScorecardForm(request.query_params))
        team, sort = form.values()
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            scorecard.active_scorecards(team, sort), request, view=self
        )
        cards = [scorecard.evaluate(row) for row in page or []]
        rates = [
            {"key": key, **rate, "label": str(rate["label"])}
            for key, rate in scorecard.pass_rates(team).items()
        ]
        response = paginator.get_paginated_response(ScorecardSerializer(cards, many=True).data)
        response.data["pass_rates"] = rates
        return response


class ScorecardDetailView(APIView):
    """One scenario's checklist (any scenario you may see, active or not)."""

    @extend_schema(responses={200: ScorecardSerializer, 404: ERRORS[404], 401: ERRORS[401]})
    def get(self, request: Request, pk: int) -> Response:
        scenario = get_scenario_for(actor(request), pk, Scenario.objects.select_related("team"))
        return Response(ScorecardSerializer(scorecard.scorecard_for(scenario)).data)
