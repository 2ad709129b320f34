from portal.routers import Router
from scenarios import api

router = Router()
router.register("scenarios", api.ScenarioViewSet, basename="scenario")
router.register("tools", api.ToolViewSet, basename="tool")
urlpatterns = router.urls
