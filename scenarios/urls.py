from django.urls import include, path

from scenarios import views
from scenarios.tool_registry import views as tool_views

app_name = "scenarios"
urlpatterns: list = [
    path("", views.scenario_list, name="list"),
    path("new/", views.scenario_create, name="create"),
    path("review-queue/", views.review_queue, name="review_queue"),
    path("<int:pk>/", views.scenario_detail, name="detail"),
    path("<int:pk>/edit/", views.scenario_edit, name="edit"),
    path("<int:pk>/review/", views.scenario_review, name="review"),
    path("<int:pk>/record.md", views.decision_record_markdown, name="record_markdown"),
    path("<int:pk>/submit/", views.scenario_transition, {"name": "submit"}, name="submit"),
    path(
        "<int:pk>/start-review/",
        views.scenario_transition,
        {"name": "start_review"},
        name="start_review",
    ),
    path("<int:pk>/onboard/", views.scenario_transition, {"name": "onboard"}, name="onboard"),
    path("<int:pk>/retire/", views.scenario_transition, {"name": "retire"}, name="retire"),
    path("<int:pk>/approve/", views.scenario_decide, {"decision": "approve"}, name="approve"),
    path(
        "<int:pk>/request-changes/",
        views.scenario_decide,
        {"decision": "request_changes"},
        name="request_changes",
    ),
    path("<int:pk>/reject/", views.scenario_decide, {"decision": "reject"}, name="reject"),
    path("tools/", tool_views.tool_list, name="tool_list"),
    path("tools/new/", tool_views.tool_create, name="tool_create"),
    path("tools/<int:pk>/", tool_views.tool_detail, name="tool_detail"),
    path("tools/<int:pk>/edit/", tool_views.tool_edit, name="tool_edit"),
    path("templates/", include("scenarios.golden_paths.urls")),
    path("", include("scenarios.amendments.urls")),
]
