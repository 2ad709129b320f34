from rest_framework.routers import SimpleRouter

from releases import api

router = SimpleRouter()
router.register("releases", api.ReleaseViewSet, basename="release")
router.register("model-aliases", api.ModelAliasViewSet, basename="model-alias")
urlpatterns = router.urls
