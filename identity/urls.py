from django.urls import path

from identity import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
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
