from django.contrib.auth import views as auth_views
from django.urls import path

from portal.core import profile_views, token_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("theme/", views.theme_set, name="theme-set"),
    path("language/", profile_views.language_set, name="language-set"),
    # The sign-in page ("login") is the identity app's: the provider's button and, while it
    # is allowed, the password form. The root URLconf puts the identity app's sign-out (which
    # also signs out of the provider) before this plain one.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", token_views.profile, name="profile"),
    path("profile/tokens/", token_views.token_create, name="token-create"),
    path("profile/tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
    path("tokens/", token_views.all_tokens, name="tokens-all"),
]
