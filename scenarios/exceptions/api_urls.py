"""API routes of the register, mounted under /api/v1/ (so /api/v1/exceptions/)."""

from portal.routers import Router
from scenarios.exceptions.api import ExceptionViewSet

router = Router()
router.register("exceptions", ExceptionViewSet, basename="exception")
urlpatterns = router.urls
