"""The scenarios API under /api/v1/: intake, one POST action per transition, decision record,
and the tool registry. Views parse and call the same services as the HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.core.api_conventions import (
    ERRORS,
    TRANSITION_ERRORS,
    BoundedPageNumberPagination,
    transition_responses,
)
from portal.core.auth import actor
from portal.core.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from portal.core.models import User
from scenarios import decision_record, policies, selectors, services
from scenarios.models import Hosting, Route, Scenario, ScenarioReview, Tool
from scenarios.serializers import (
    CommentSerializer,
    DecisionRecordSerializer,
    DecisionSerializer,
    MinorEditSerializer,
    ScenarioListSerializer,
    ScenarioSerializer,
    ScenarioWriteSerializer,
    ToolSerializer,
)
from scenarios.tool_registry import selectors as tool_selectors
from scenarios.tool_registry import services as tool_services

WRITE_ERRORS = {400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}
UPDATE_ERRORS = TRANSITION_ERRORS


class ScenarioFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Scenario.Status.choices)
    team = django_filters.CharFilter(field_name="team__slug", help_text="Team slug.")
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.all(),
        method="filter_owner",
        help_text="User id holding any RACI role in the scenario.",
    )
    route = django_filters.ChoiceFilter(field_name="primary_route", choices=Route.choices)
    hosting = django_filters.ChoiceFilter(choices=Hosting.choices)

    class Meta:
        model = Scenario
        fields = ["status", "team", "owner", "route", "hosting"]

    def filter_owner(self, queryset: QuerySet[Scenario], name: str, value: Any) -> Any:
        return queryset.filter(selectors.owned_by_q(value.pk)) if value else queryset


def _detail(request: Request, pk: Any) -> Response:
    scenario = selectors.scenario_detail(actor(request), pk)
    return Response(ScenarioSerializer(scenario, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(
        summary="Scenarios visible to you (drafts only of your team, or all for platform)",
        responses={200: ScenarioListSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One scenario with its full intake",
        responses={200: ScenarioSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
    ),
)
class ScenarioViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scenario intake and architecture review."""

    serializer_class = ScenarioSerializer
    filterset_class = ScenarioFilterSet
    pagination_class = BoundedPageNumberPagination
    search_fields = ["name", "description"]
    ordering_fields = ["created_at", "submitted_at", "name"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Scenario]:
        if getattr(self, "swagger_fake_view", False):  # the schema reads model and filters
            return Scenario.objects.none()
        return selectors.scenario_list(actor(self.request))

    def get_serializer_class(self) -> Any:
        return ScenarioListSerializer if self.action == "list" else ScenarioSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _detail(request, kwargs["pk"])

    @extend_schema(
        summary="Open a draft intake (partial is fine)",
        request=ScenarioWriteSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ScenarioSerializer, **WRITE_ERRORS, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        if not policies.can_create(actor(request)):
            raise PermissionDenied(
                _("Only product owners (and the platform) open scenario intakes.")
            )
        serializer = ScenarioWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = services.scenario_create(
            actor=actor(request),
            team=serializer.validated_data["team"],
            **serializer.service_arguments(),
        )
        response = _detail(request, scenario.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="Edit a draft or a scenario with changes requested (the team or platform)",
        request=ScenarioWriteSerializer,
        responses={200: ScenarioSerializer, **UPDATE_ERRORS},
    )
    def update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary="Edit some fields of a draft or a scenario with changes requested",
        request=ScenarioWriteSerializer,
        responses={200: ScenarioSerializer, **UPDATE_ERRORS},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: Any, *, partial: bool) -> Response:
        scenario = selectors.get_scenario_for(actor(request), pk)
        if not policies.can_change_intake(actor(request), scenario):
            raise PermissionDenied(_("You may not edit this scenario."))
        serializer = ScenarioWriteSerializer(scenario, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.scenario_update(
            actor=actor(request), pk=scenario.pk, **serializer.service_arguments()
        )
        return _detail(request, scenario.pk)

    def _transition(self, request: Request, pk: Any, service: Callable[..., Any]) -> Response:
        scenario = selectors.get_scenario_for(actor(request), pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(
            actor=actor(request),
            pk=scenario.pk,
            comment=body.validated_data["comment"],
            as_delegate=body.validated_data["as_delegate"],
        )
        return _detail(request, scenario.pk)

    @extend_schema(
        summary="Submit for architecture review (refused with every missing item named)",
        request=CommentSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.scenario_submit)

    @extend_schema(
        summary="Take a submitted scenario into review (platform, not the submitter or an owner)",
        request=CommentSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.scenario_start_review)

    def _decide(self, request: Request, pk: Any, decision: str) -> Response:
        scenario = selectors.get_scenario_for(actor(request), pk)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.scenario_decide(
            actor=actor(request),
            pk=scenario.pk,
            decision=decision,
            comment=body.validated_data["comment"],
            answers=body.answers(),
            as_delegate=body.validated_data["as_delegate"],
        )
        return _detail(request, scenario.pk)

    @extend_schema(
        summary="Approve, with a comment and every checklist item passed",
        request=DecisionSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._decide(request, pk, ScenarioReview.Decision.APPROVE)

    @extend_schema(
        summary="Send back to the product owner for changes, with a comment and the checklist",
        request=DecisionSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: Any = None) -> Response:
        return self._decide(request, pk, ScenarioReview.Decision.REQUEST_CHANGES)

    @extend_schema(
        summary="Reject, with a comment and the checklist",
        request=DecisionSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return self._decide(request, pk, ScenarioReview.Decision.REJECT)

    @extend_schema(
        summary="Mark an approved scenario onboarded (live)",
        request=CommentSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"])
    def onboard(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.scenario_onboard)

    @extend_schema(
        summary="Retire an onboarded scenario",
        request=CommentSerializer,
        responses=transition_responses(ScenarioSerializer),
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, services.scenario_retire)

    @extend_schema(
        summary="Edit a live scenario's minor fields (description, expected volume): no review",
        request=MinorEditSerializer,
        responses={200: ScenarioSerializer, **UPDATE_ERRORS},
    )
    @action(detail=True, methods=["patch"], url_path="minor")
    def minor(self, request: Request, pk: Any = None) -> Response:
        scenario = selectors.get_scenario_for(actor(request), pk)
        body = MinorEditSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.scenario_edit_minor(scenario.pk, actor=actor(request), data=body.validated_data)
        return _detail(request, scenario.pk)

    @extend_schema(
        summary="The decision record (RACI, contract, checklist, reviews, timeline) as JSON",
        responses={200: DecisionRecordSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="decision-record")
    def decision_record(self, request: Request, pk: Any = None) -> Response:
        scenario = selectors.scenario_detail(actor(request), pk)
        return Response(decision_record.build(scenario))

    @extend_schema(
        summary="The decision record as a Markdown document",
        responses={
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="Markdown."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"], url_path="decision-record/markdown")
    def decision_record_markdown(self, request: Request, pk: Any = None) -> HttpResponse:
        scenario = selectors.scenario_detail(actor(request), pk)
        body = decision_record.to_markdown(decision_record.build(scenario))
        response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="scenario-{scenario.pk}-decision-record.md"'
        )
        return response


@extend_schema_view(
    list=extend_schema(
        summary="The tool registry",
        responses={200: ToolSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="One registry tool",
        responses={200: ToolSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
    ),
)
class ToolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tools scenarios may pick. Everyone reads; the platform adds and edits."""

    serializer_class = ToolSerializer
    queryset = Tool.objects.select_related("owner").order_by("name")
    filterset_fields = ["stability", "allowed"]
    search_fields = ["name", "description"]

    @extend_schema(
        summary="Add a tool (platform)",
        request=ToolSerializer,
        responses={201: ToolSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        if not policies.can_manage_tools(actor(request)):
            raise PermissionDenied(_("Only the platform team manages the tool registry."))
        serializer = ToolSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tool = tool_services.tool_create(actor=actor(request), data=dict(serializer.validated_data))
        return Response(ToolSerializer(tool).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a tool (platform)",
        request=ToolSerializer,
        responses={200: ToolSerializer, **WRITE_ERRORS, 404: ERRORS[404]},
    )
    def update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary="Edit some fields of a tool (platform)",
        request=ToolSerializer,
        responses={200: ToolSerializer, **WRITE_ERRORS, 404: ERRORS[404]},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: Any, *, partial: bool) -> Response:
        tool = tool_selectors.tool_detail(pk)
        if not policies.can_manage_tools(actor(request)):
            raise PermissionDenied(_("Only the platform team manages the tool registry."))
        serializer = ToolSerializer(tool, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        tool = tool_services.tool_update(
            actor=actor(request), pk=tool.pk, data=dict(serializer.validated_data)
        )
        return Response(ToolSerializer(tool).data)
