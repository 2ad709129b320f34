from portal.routers import Router
from scenarios import api
from scenarios.amendments import api as amendment_api

router = Router()
router.register("scenarios", api.ScenarioViewSet, basename="scenario")
router.register("amendments", amendment_api.AmendmentViewSet, basename="amendment")
router.register("tools", api.ToolViewSet, basename="tool")
urlpatterns = router.urls
