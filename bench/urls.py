"""The portal's URLconf plus the benchmark's baseline views (bench/views.py)."""

from django.urls import path

from bench import views
from portal.urls import handler400, handler403, handler404, handler500, urlpatterns

urlpatterns = [
    path("bench/ok/", views.ok, name="bench-ok"),
    path("bench/plain/", views.ok, name="bench-plain"),
    path("api/v1/bench/bare/", views.BareDRF.as_view(), name="bench-bare-api"),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
