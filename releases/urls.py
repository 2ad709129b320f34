from django.urls import path

from releases import views

app_name = "releases"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("new/", views.release_create, name="create"),
    path("sign-offs/", views.sign_off_inbox, name="inbox"),
    path("aliases/", views.alias_list, name="aliases"),
    path("aliases/<int:pk>/", views.alias_detail, name="alias"),
    path("<int:pk>/", views.release_detail, name="detail"),
    path("<int:pk>/edit/", views.release_edit, name="edit"),
    path("<int:pk>/submit/", views.release_submit, name="submit"),
    path("<int:pk>/revise/", views.release_revise, name="revise"),
    path("<int:pk>/sign-off/<slug:kind>/", views.release_sign_off, name="sign-off"),
    path("<int:pk>/start-rollout/", views.release_start_rollout, name="start-rollout"),
    path("<int:pk>/release/", views.release_release, name="release"),
    path("<int:pk>/rollback/", views.release_rollback, name="rollback"),
]
