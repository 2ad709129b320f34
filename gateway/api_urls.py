from django.urls import path

from gateway import api
from portal.routers import Router

router = Router()
router.register("gateway/moves", api.GatewayMoveViewSet, basename="gateway-move")
router.register("playground/runs", api.PlaygroundRunViewSet, basename="playground-run")
urlpatterns = [
    path("gateway/aliases", api.DesiredStateView.as_view(), name="api-gateway-aliases"),
    path(
        "gateway/connectors/<int:pk>/report/",
        api.ConnectorReportView.as_view(),
        name="api-gateway-report",
    ),
    *router.urls,
]
