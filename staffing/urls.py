from django.urls import path

from staffing import views

app_name = "staffing"
urlpatterns = [
    path("", views.index, name="index"),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/new/", views.profile_new, name="profile_new"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/publish/", views.profile_publish, name="profile_publish"),
    path("profiles/<int:pk>/markdown/", views.profile_markdown_export, name="profile_markdown"),
    path("onboardings/", views.onboarding_list, name="onboardings"),
    path("onboardings/new/", views.onboarding_new, name="onboarding_new"),
    path("onboardings/<int:pk>/", views.onboarding_detail, name="onboarding"),
    path("onboardings/<int:pk>/start/", views.onboarding_start, name="onboarding_start"),
    path("onboardings/<int:pk>/complete/", views.onboarding_complete, name="onboarding_complete"),
    path("onboardings/<int:pk>/tick/", views.onboarding_tick, name="onboarding_tick"),
]
