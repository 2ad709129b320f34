from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from portal.core import views as core_views

admin.site.site_header = _("AI Operating Model Portal: administration")
admin.site.site_title = _("AI Operating Model Portal")

api_v1 = [
    path("", include("portal.core.api_urls")),
    path("", include("scenarios.api_urls")),
    path("", include("exceptions.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("incidents.api_urls")),
    path("", include("dashboard.api_urls")),
    path("", include("support.api_urls")),
    path("", include("directory.api_urls")),
    path("", include("gateway.api_urls")),
]

urlpatterns = [
    # Identity first: its sign-out (which also signs out of the provider) replaces the core's.
    path("", include("identity.urls")),
    path("", include("portal.core.urls")),
    # Not in the OpenAPI schema: SCIM is its own protocol (RFC 7644), for the identity provider.
    path("scim/v2/", include("identity.scim", namespace="scim")),
    path("scenarios/", include("scenarios.urls")),
    path("exceptions/", include("exceptions.urls")),
    path("releases/", include("releases.urls")),
    path("incidents/", include("incidents.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("support/", include("support.urls")),
    path("staffing/", include("staffing.urls")),
    path("", include("directory.urls")),
    path("integrations/", include("integrations.urls")),
    path("gateway/", include("gateway.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", core_views.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG:
    urlpatterns += [path("__errors__/500/", core_views.raise_error)]
