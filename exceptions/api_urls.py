"""API routes of the register, mounted under /api/v1/ (so /api/v1/exceptions/)."""

from exceptions.api import ExceptionViewSet
from portal.routers import Router

router = Router()
router.register("exceptions", ExceptionViewSet, basename="exception")
urlpatterns = router.urls
