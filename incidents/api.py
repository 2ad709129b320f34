"""The incidents API: thin views over incidents.selectors and incidents.services."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import selectors, services
from incidents.filters import IncidentFilter
from incidents.models import Incident
from incidents.serializers import (
    HandOverSerializer,
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentListSerializer,
    IncidentUpdateSerializer,
    PostmortemSerializer,
    RollbackActionSerializer,
    RollbackSerializer,
    TransitionSerializer,
)
from portal.core.api import HISTORY_ACTION, history_page, history_schema
from portal.core.api_conventions import (
    ERRORS,
    TRANSITION_ERRORS,
    transition_responses,
)
from portal.core.auth import actor
from portal.core.filter_backend import FilterBackend


@extend_schema_view(
    list=extend_schema(
        summary="List incidents",
        responses={200: IncidentListSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="One incident with owners, rollbacks and the actions open to you",
        responses={200: IncidentDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    ),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents: open, acknowledge, mitigate, resolve, close, roll back, hand over, post
    timeline updates and write the postmortem."""

    filter_backends = [FilterBackend]
    filterset_class = IncidentFilter
    serializer_class = IncidentDetailSerializer
    queryset = Incident.objects.none()

    def get_queryset(self) -> Any:
        return selectors.visible_incidents(actor(self.request))

    def get_serializer_class(self) -> Any:
        return IncidentListSerializer if self.action == "list" else IncidentDetailSerializer

    def get_object(self) -> Incident:
        return selectors.incident_for(actor(self.request), self.kwargs["pk"])

    def _detail(self, pk: Any, code: int = status.HTTP_200_OK) -> Response:
        incident = selectors.incident_for(actor(self.request), pk)
        serializer = IncidentDetailSerializer(incident, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    @extend_schema(
        summary="Open an incident (owners are copied from the scenario's RACI)",
        request=IncidentCreateSerializer,
        responses={201: IncidentDetailSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = _valid(IncidentCreateSerializer, request)
        incident = services.incident_open(actor=actor(request), **data)
        return self._detail(incident.pk, status.HTTP_201_CREATED)

    def _transition(self, request: Request, pk: Any, name: str) -> Response:
        data = _valid(TransitionSerializer, request)
        services.TRANSITIONS[name](pk, actor=actor(request), **data)
        return self._detail(pk)

    @extend_schema(
        summary="Acknowledge (incident owner, or whom they handed it to)",
        request=TransitionSerializer,
        responses=transition_responses(IncidentDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, "acknowledge")

    @extend_schema(
        summary="Mark mitigated (owners, platform)",
        request=TransitionSerializer,
        responses=transition_responses(IncidentDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def mitigate(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, "mitigate")

    @extend_schema(
        summary="Resolve (owners, platform)",
        request=TransitionSerializer,
        responses=transition_responses(IncidentDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, "resolve")

    @extend_schema(
        summary="Close (incident owner, platform); SEV1/SEV2 need a postmortem, else 409",
        request=TransitionSerializer,
        responses=transition_responses(IncidentDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._transition(request, pk, "close")

    @extend_schema(
        summary="Hand the incident over to someone else (recorded)",
        request=HandOverSerializer,
        responses=transition_responses(IncidentDetailSerializer),
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: Any = None) -> Response:
        data = _valid(HandOverSerializer, request)
        services.incident_hand_over(pk, actor=actor(request), **data)
        return self._detail(pk)

    @extend_schema(
        summary="Roll back a prompt or model (moves the alias back) or disable a tool",
        description="409 when there is nothing to roll back to; nothing is saved then.",
        request=RollbackSerializer,
        responses={201: RollbackActionSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, pk: Any = None) -> Response:
        data = _valid(RollbackSerializer, request)
        done = services.incident_rollback(
            pk,
            actor=actor(request),
            kind=data["kind"],
            release_id=data["release"].pk,
            tool_id=data["tool"].pk if data["tool"] else None,
            reason=data["reason"],
            as_delegate=data["as_delegate"],
        )
        return Response(RollbackActionSerializer(done).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The incident's timeline of updates, oldest first",
        responses={200: IncidentUpdateSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a timeline update (anyone signed in; 409 once closed)",
        request=IncidentUpdateSerializer,
        responses={201: IncidentUpdateSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def updates(self, request: Request, pk: Any = None) -> Response:
        if request.method == "GET":
            incident = selectors.incident_for(actor(request), pk)
            return Response(IncidentUpdateSerializer(incident.updates.all(), many=True).data)
        data = _valid(IncidentUpdateSerializer, request)
        update = services.incident_add_update(pk, actor=actor(request), text=data["text"])
        return Response(IncidentUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @history_schema("incident")
    @action(detail=True, **HISTORY_ACTION)
    def history(self, request: Request, pk: Any = None) -> Response:
        return history_page(self, get_object_or_404(self.get_queryset(), pk=pk))

    @extend_schema(
        methods=["GET"],
        summary="The postmortem (404 while none is written)",
        responses={200: PostmortemSerializer, **ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Write or replace the postmortem (incident owner, platform); 409 once closed",
        request=PostmortemSerializer,
        responses={200: PostmortemSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["get", "put"])
    def postmortem(self, request: Request, pk: Any = None) -> Response:
        incident = selectors.incident_for(actor(request), pk)
        if request.method == "PUT":
            data = _valid(PostmortemSerializer, request)
            services.incident_postmortem_save(incident.pk, actor=actor(request), **data)
            incident = selectors.incident_for(actor(request), pk)
        postmortem = selectors.postmortem_of(incident)
        if postmortem is None:
            raise Http404(gettext("No postmortem written yet."))
        return Response(PostmortemSerializer(postmortem).data)


def _valid(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
