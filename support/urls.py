from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("queue/", views.request_queue, name="queue"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/delete/", views.request_delete, name="delete"),
    path("<int:pk>/comment/", views.request_comment, name="comment"),
    path("<int:pk>/answer/", views.request_answer, name="answer"),
    path("<int:pk>/close/", views.request_close, name="close"),
    path("<int:pk>/reopen/", views.request_reopen, name="reopen"),
]
