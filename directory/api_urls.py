"""API routes of the directory, mounted under /api/v1/ (so /api/v1/users/, /api/v1/teams/)."""

from rest_framework.routers import SimpleRouter

from directory import api

router = SimpleRouter()
router.register("users", api.PersonViewSet, basename="user")
router.register("teams", api.TeamViewSet, basename="team")
urlpatterns = router.urls
