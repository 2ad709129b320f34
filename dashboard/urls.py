from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics.csv", views.metrics_csv, name="metrics-csv"),
    path("scorecard/", views.scorecard_list, name="scorecard"),
    path("<slug:key>/items/", views.drill_down, name="drill-down"),
]
