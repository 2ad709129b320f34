from incidents.api import IncidentViewSet
from portal.routers import Router

router = Router()
router.register("incidents", IncidentViewSet, basename="incident")
urlpatterns = router.urls
