from django.urls import include, path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns = [
    path("", include("scenarios.exceptions.api_urls")),
    *router.urls,
]
