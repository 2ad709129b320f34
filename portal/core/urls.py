from django.contrib.auth import views as auth_views
from django.urls import path

from portal.core import token_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", token_views.profile, name="profile"),
    path("profile/tokens/", token_views.token_create, name="token-create"),
    path("profile/tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
    path("tokens/", token_views.all_tokens, name="tokens-all"),
]
