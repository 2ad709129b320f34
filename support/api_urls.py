from portal.routers import Router
from support.api import SupportRequestViewSet

router = Router()
router.register("support-requests", SupportRequestViewSet, basename="support-request")
urlpatterns = router.urls
