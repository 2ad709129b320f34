from portal.routers import Router
from releases import api

router = Router()
router.register("releases", api.ReleaseViewSet, basename="release")
router.register("model-aliases", api.ModelAliasViewSet, basename="model-alias")
urlpatterns = router.urls
