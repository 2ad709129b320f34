"""Amendment pages, inside the scenarios URL namespace."""

from django.urls import path

from scenarios.amendments import views

urlpatterns: list = [
    path("amendments/", views.amendment_list, name="amendment_list"),
    path("amendments/<int:pk>/", views.amendment_detail, name="amendment_detail"),
    path("amendments/<int:pk>/edit/", views.amendment_edit, name="amendment_edit"),
    *(
        path(
            f"amendments/<int:pk>/{action.slug}/",
            views.amendment_transition,
            {"name": name},
            name=f"amendment_{name}",
        )
        for name, action in views.ACTIONS.items()
    ),
    path("<int:pk>/amend/", views.amendment_open, name="amendment_open"),
    path("<int:pk>/minor/", views.scenario_minor_edit, name="minor_edit"),
]
