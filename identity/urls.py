from django.urls import path

from identity import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    # Before the core's plain sign-out in the root URLconf: this one also ends the provider's.
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path(
        "oidc/authenticate/",
        views.ProviderStartView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        views.ProviderCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
]
