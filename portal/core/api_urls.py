from django.urls import path

from portal.core import api, token_api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("audit/", api.AuditTrailView.as_view(), name="api-audit"),
    path("tokens/", token_api.TokenListCreateView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", token_api.TokenDetailView.as_view(), name="api-token"),
]
