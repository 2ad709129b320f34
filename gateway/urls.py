from django.urls import path

from gateway import views

app_name = "gateway"
urlpatterns = [
    path("playground/<int:pk>/", views.playground, name="playground"),
    path("playground/runs/<int:pk>/", views.run_detail, name="run"),
    path("moves/<int:pk>/retry/", views.move_retry, name="move-retry"),
]
