from django.urls import path

from dashboard import api

urlpatterns = [
    path("metrics/", api.MetricsView.as_view(), name="api-metrics"),
    path("scorecard/", api.ScorecardListView.as_view(), name="api-scorecard"),
    path("scorecard/<int:pk>/", api.ScorecardDetailView.as_view(), name="api-scorecard-detail"),
]
