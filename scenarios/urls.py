from django.urls import include, path

app_name = "scenarios"
urlpatterns: list = [
    path("templates/", include("scenarios.template_urls")),
    path("exceptions/", include("scenarios.exceptions.urls")),
]
