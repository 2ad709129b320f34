from django.urls import path

from portal.core import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
]
