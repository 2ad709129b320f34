from rest_framework.routers import SimpleRouter

from portal.support.api import SupportRequestViewSet

router = SimpleRouter()
router.register("support-requests", SupportRequestViewSet, basename="support-request")
urlpatterns = router.urls
