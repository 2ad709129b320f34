"""API routes of the directory, mounted under /api/v1/ (so /api/v1/users/, /api/v1/teams/)."""

from directory import api
from portal.routers import Router

router = Router()
router.register("users", api.PersonViewSet, basename="user")
router.register("teams", api.TeamViewSet, basename="team")
urlpatterns = router.urls
