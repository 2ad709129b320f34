from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="endpoint_list"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("webhooks/<int:pk>/active/", views.endpoint_toggle, name="endpoint_toggle"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="delivery_redeliver"),
    path("teams/<slug:slug>/channels/", views.team_channels, name="team_channels"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("slack/link/", views.slack_link, name="slack_link"),
    path("slack/interactions/", views.slack_interactions, name="slack_interactions"),
]
