from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_open, name="open"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/updates/", views.incident_add_update, name="add-update"),
    path("<int:pk>/hand-over/", views.incident_hand_over, name="hand-over"),
    path("<int:pk>/rollback/", views.incident_rollback, name="rollback"),
    path("<int:pk>/postmortem/", views.incident_postmortem, name="postmortem"),
    *(
        path(f"<int:pk>/{name}/", views.incident_transition, {"name": name}, name=name)
        for name in ("acknowledge", "mitigate", "resolve", "close")
    ),
]
