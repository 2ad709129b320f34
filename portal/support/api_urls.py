from portal.routers import Router
from portal.support.api import SupportRequestViewSet

router = Router()
router.register("support-requests", SupportRequestViewSet, basename="support-request")
urlpatterns = router.urls
