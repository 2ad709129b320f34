from django.urls import include, path
from rest_framework.routers import SimpleRouter

from scenarios import api

router = SimpleRouter()
router.register("scenarios", api.ScenarioViewSet, basename="scenario")
router.register("tools", api.ToolViewSet, basename="tool")
urlpatterns = [
    path("", include("scenarios.exceptions.api_urls")),
    *router.urls,
]
