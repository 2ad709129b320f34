"""API routes of the register, mounted under /api/v1/ (so /api/v1/exceptions/)."""

from rest_framework.routers import SimpleRouter

from scenarios.exceptions.api import ExceptionViewSet

router = SimpleRouter()
router.register("exceptions", ExceptionViewSet, basename="exception")
urlpatterns = router.urls
