"""SCIM 2.0 Users and Groups (django-scim2) over the portal's people and roles.

Users: the provider lists, creates, updates and deactivates people; `active: false` (PATCH,
PUT) and DELETE deactivate through `services.user_deactivate` (sessions and tokens end at
once). People are never deleted: the audit trail names them. Groups are the portal's roles,
read-only here: roles follow the groups claim at every sign-in (the admin's group mappings)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.urls import path, re_path
from django_scim import exceptions
from django_scim import views as scim_views
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.constants import SchemaURI

from identity import services

VIA = "by the identity provider (SCIM)"
GROUPS_READ_ONLY = (
    "Roles and teams follow the groups claim at sign-in; map groups in the portal's admin."
)


class PortalSCIMUser(SCIMUser):
    id_field = "id"
    obj: Any

    def to_dict(self) -> dict[str, Any]:
        self.obj.scim_external_id = ""
        return super().to_dict()

    @property
    def groups(self) -> list[dict[str, Any]]:
        return [{"value": str(group.pk), "display": group.name} for group in self.obj.groups.all()]

    def from_dict(self, d: dict[str, Any]) -> None:
        # A password from the provider would open password sign-in for the person.
        super().from_dict({key: value for key, value in d.items() if key != "password"})

    def save(self) -> None:
        user = self.obj
        try:
            if user.pk is None:
                self.obj = services.scim_user_create(user, via=VIA)
            else:
                services.scim_user_update(user.pk, changed=user, via=VIA)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            if exc.code == "unique":
                raise exceptions.IntegrityError(message, scim_type="uniqueness") from exc
            raise exceptions.BadRequestError(message, scim_type="invalidValue") from exc

    def delete(self) -> None:
        services.user_deactivate(self.obj.pk, actor=None, via=VIA)

    def parse_path_and_values(self, path: Any, value: Any) -> list[Any]:
        # Microsoft Entra ID sends the active flag as the string "True" or "False".
        pairs = super().parse_path_and_values(path, value)
        return [(p, _flag(v) if _is_active(p) else v) for p, v in pairs]

    def validate_op_replace(self, path: Any, value: Any, operation: dict[str, Any]) -> None:
        # The library's own check names `operation["path"]`, absent from a path-less replace.
        if _is_active(path) and not isinstance(value, bool):
            raise exceptions.BadRequestError(
                f'"active" must be true or false, not {value!r}.', scim_type="invalidValue"
            )


def _is_active(path: Any) -> bool:
    return path is not None and path.first_path == ("active", None, None)


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


class PortalSCIMGroup(SCIMGroup):
    id_field = "id"
    obj: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "schemas": [SchemaURI.GROUP],
            "id": self.id,
            "displayName": self.display_name,
            "members": self.members,
            "meta": self.meta,
        }

    def from_dict(self, d: dict[str, Any]) -> None:
        raise exceptions.NotImplementedError(GROUPS_READ_ONLY)

    def handle_operations(self, operations: Any) -> None:
        raise exceptions.NotImplementedError(GROUPS_READ_ONLY)

    def delete(self) -> None:
        raise exceptions.NotImplementedError(GROUPS_READ_ONLY)


class _PortalResource:
    """Ids are the portal's numbers: any other id is a 404, not a server error; a body is a
    JSON object or a 400."""

    kwargs: dict[str, Any]

    def load_body(self, body: bytes) -> Any:
        loaded = super().load_body(body)  # type: ignore[misc]
        if not isinstance(loaded, dict):
            raise exceptions.BadRequestError("The body must be a JSON object.")
        return loaded

    def get_object(self) -> Any:
        given = str(self.kwargs.get("uuid") or "")
        if not given.isdigit():
            raise exceptions.NotFoundError(given)
        return super().get_object()  # type: ignore[misc]


class UsersView(_PortalResource, scim_views.UsersView):
    pass


class GroupsView(_PortalResource, scim_views.GroupsView):
    pass


def _open(view: Any) -> Any:
    # The bearer token guards these, not a session.
    return login_not_required(view)


app_name = "scim"
urlpatterns = [
    path("", _open(scim_views.SCIMView.as_view(implemented=False)), name="root"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", _open(UsersView.as_view()), name="users"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", _open(GroupsView.as_view()), name="groups"),
    path(
        "ServiceProviderConfig",
        _open(scim_views.ServiceProviderConfigView.as_view()),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
        _open(scim_views.ResourceTypesView.as_view()),
        name="resource-types",
    ),
    re_path(
        r"^Schemas(?:/(?P<uuid>[^/]+))?$",
        _open(scim_views.SchemasView.as_view()),
        name="schemas",
    ),
]
