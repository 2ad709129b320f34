from django.urls import include, path

app_name = "scenarios"
urlpatterns: list = [
    path("exceptions/", include("scenarios.exceptions.urls")),
]
