"""Browser URLs of the directory: /people/, /teams/ and /teams/<slug>/."""

from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("teams/", views.teams, name="teams"),
    path("teams/<slug:slug>/", views.team, name="team"),
]
