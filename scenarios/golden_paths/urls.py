"""Browser URLs of golden-path templates, under /scenarios/templates/ (in the scenarios namespace)."""

from django.urls import path

from scenarios.golden_paths import views as template_views

urlpatterns = [
    path("", template_views.template_list, name="template_list"),
    path("new/", template_views.template_create, name="template_create"),
    path("<int:pk>/", template_views.template_detail, name="template_detail"),
    path("<int:pk>/edit/", template_views.template_edit, name="template_edit"),
    path("<int:pk>/retire/", template_views.template_retire, name="template_retire"),
]
