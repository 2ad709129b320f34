"""Browser URLs of the register, under /exceptions/. One POST-only URL per transition."""

from django.urls import path

from exceptions import views

app_name = "exceptions"
urlpatterns = [
    path("", views.exception_list, name="list"),
    path("export.csv", views.exception_export, name="export"),
    path("new/", views.exception_request, name="request"),
    path("detect/", views.exception_detect, name="detect"),
    path("<int:pk>/", views.exception_detail, name="detail"),
    path("<int:pk>/justify/", views.exception_justify, name="justify"),
    path("<int:pk>/approve/", views.exception_approve, name="approve"),
    path("<int:pk>/reject/", views.exception_reject, name="reject"),
    path("<int:pk>/revoke/", views.exception_revoke, name="revoke"),
    path("<int:pk>/close/", views.exception_close, name="close"),
]
