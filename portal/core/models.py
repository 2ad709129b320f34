"""The shared core: people, teams, the audit trail and outbound email."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from portal.core import roles

# Re-exported: migrations name `portal.core.models.ChoiceLabels` as a base of their models.
from portal.core.choice_labels import ChoiceLabels  # noqa: F401


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox names the reverse manager
    """A person who signs in. Roles are Django groups (see `portal.core.roles`)."""

    # The language of their pages and emails; blank: their browser's (Accept-Language).
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        return roles.has_role(self, role)

    @property
    def is_portal_admin(self) -> bool:
        return roles.has_role(self, roles.ADMIN)

    @property
    def is_platform(self) -> bool:
        return roles.has_role(self, roles.PLATFORM_REVIEWER)

    # A user read from the per-user cache (portal.core.user_cache) carries the session hashes
    # instead of the password hash, which stays out of Redis: its password is not loaded.
    _session_auth_hashes: tuple[str, ...]

    def get_session_auth_hash(self) -> str:
        if "password" not in self.__dict__ and hasattr(self, "_session_auth_hashes"):
            return str(self._session_auth_hashes[0])
        return super().get_session_auth_hash()

    def get_session_auth_fallback_hash(self) -> Any:
        if "password" not in self.__dict__ and hasattr(self, "_session_auth_hashes"):
            return iter(self._session_auth_hashes[1:])
        return super().get_session_auth_fallback_hash()


class Team(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product team")
        PLATFORM = "platform", _("Platform team")

    name = models.CharField(verbose_name=_("name"), max_length=120, unique=True)
    slug = models.SlugField(verbose_name=_("slug"), max_length=120, unique=True)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRODUCT
    )
    description = models.TextField(verbose_name=_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="teams", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/teams/{self.slug}/"


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk `update()` and `delete()` would bypass the model's guards, so they refuse too."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One state transition of one object. Append-only: rows are never changed or removed.

    Rows form a hash chain (`portal.core.audit`): `seq` is the row's place in it, `row_hash` an
    HMAC over its fields and `prev_hash`, the hash of the row before. On PostgreSQL plain
    triggers (migration 0004) refuse UPDATE, DELETE and TRUNCATE."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.PROTECT
    )
    object_id = models.CharField(verbose_name=_("object id"), max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(verbose_name=_("object repr"), max_length=200)
    transition = models.CharField(verbose_name=_("transition"), max_length=64)
    source = models.CharField(verbose_name=_("source"), max_length=32)
    target = models.CharField(verbose_name=_("target"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_delegate = models.BooleanField(
        verbose_name=_("as delegate"),
        default=False,
        help_text=_("An admin acted in place of the person the rules name."),
    )
    comment = models.TextField(verbose_name=_("comment"), blank=True)
    request_id = models.CharField(verbose_name=_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    seq = models.BigIntegerField(verbose_name=_("seq"), unique=True, editable=False)
    prev_hash = models.CharField(
        verbose_name=_("prev hash"), max_length=64, blank=True, editable=False
    )
    row_hash = models.CharField(verbose_name=_("row hash"), max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.source} → {self.target} ({self.transition})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")

    @property
    def transition_label(self) -> str:
        method = getattr(self._subject_model(), self.transition, None)
        return transition_label(getattr(method, "_django_fsm", None), self.transition)

    @property
    def source_label(self) -> str:
        return state_label(self._subject_model(), self.source)

    @property
    def target_label(self) -> str:
        return state_label(self._subject_model(), self.target)

    def _subject_model(self) -> type[models.Model] | None:
        # ContentType.objects caches by id, so a timeline asks the database nothing here.
        return ContentType.objects.get_for_id(self.content_type_id).model_class()


def transition_label(meta: Any, name: str, source: str | None = None) -> str:
    """A transition method's own label (its `custom={"label": ...}`): the one of its transition
    from `source` when given, else the first any of its transitions carries; the method's name
    only when none has one. `meta` is the method's `_django_fsm` (None for a bare name)."""
    from_source = [meta.get_transition(source)] if meta is not None and source is not None else []
    for transition in [*from_source, *(meta.transitions.values() if meta is not None else ())]:
        label = (getattr(transition, "custom", None) or {}).get("label")
        if label:
            return str(label)
    return name.replace("_", " ").capitalize()


def state_label(model: type[models.Model] | None, state: str, field_name: str = "") -> str:
    """The display label of a state of `model`'s state field (`field_name`, else its first
    django-fsm field); "" for a creation's source. Pages and refusals both say states this way."""
    if not state:
        return ""
    for field in model._meta.concrete_fields if model is not None else ():
        named = field.name == field_name if field_name else type(field).__name__ == "FSMField"
        if named and field.choices:
            return str(dict(field.flatchoices).get(state, state.replace("_", " ")))
    return state.replace("_", " ")


class AuditChainHead(models.Model):
    """The chain's last link, kept outside the audit table: one row, moved forward by a database
    trigger on every append. A truncated table or a deleted tail leaves it pointing past the
    last row; verify_audit compares the two. It is also the lock that serializes appends."""

    id = models.PositiveSmallIntegerField(verbose_name=_("id"), primary_key=True, default=1)
    seq = models.BigIntegerField(verbose_name=_("seq"), default=0)
    row_hash = models.CharField(verbose_name=_("row hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"audit chain head at {self.seq}"


class OutboundEmail(models.Model):
    """An email the portal sends. The row is written in the sender's transaction (the outbox);
    a task delivers it after commit, retries with backoff, and records the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    template = models.CharField(verbose_name=_("template"), max_length=100)
    to = models.JSONField(verbose_name=_("to"), default=list)
    subject = models.CharField(verbose_name=pgettext_lazy("email", "subject"), max_length=255)
    body_text = models.TextField(verbose_name=_("body text"))
    body_html = models.TextField(verbose_name=_("body html"), blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("content type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    object_id = models.CharField(verbose_name=_("object id"), max_length=64, blank=True)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class ApiToken(AbstractAuthToken):
    """A personal API token (the django-rest-knox token model, see KNOX_TOKEN_MODEL).

    Only the hash is stored; the token itself is shown once, when created. Revoking deletes
    the row, so the next request with it gets 401. An integer id names the token in URLs so
    that the digest never leaves the database."""

    id: models.BigAutoField[int, int] = models.BigAutoField(verbose_name=_("id"), primary_key=True)
    digest: models.CharField[str, str] = models.CharField(
        verbose_name=_("digest"), max_length=CONSTANTS.DIGEST_LENGTH, unique=True
    )
    name: models.CharField[str, str] = models.CharField(verbose_name=_("name"), max_length=100)
    last_used_at: models.DateTimeField[Any, Any] = models.DateTimeField(
        verbose_name=_("last used at"), null=True, blank=True
    )
    token_key: models.CharField[str, str] = models.CharField(
        verbose_name=_("token key"),
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH,
        db_index=True,
    )
    user: models.ForeignKey[User, User] = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="auth_token_set",
    )
    created: models.DateTimeField[Any, Any] = models.DateTimeField(
        verbose_name=_("created"), auto_now_add=True
    )
    expiry: models.DateTimeField[Any, Any] = models.DateTimeField(
        verbose_name=_("expiry"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


class IdempotencyKey(models.Model):
    """The first result of a POST sent with an `Idempotency-Key` header (see core.idempotency).

    The row is inserted before the view runs, in the view's transaction: a concurrent request
    with the same key waits on the unique index, then replays the stored response."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(verbose_name=_("key"), max_length=255)
    method = models.CharField(verbose_name=_("method"), max_length=8)
    path = models.CharField(verbose_name=_("path"), max_length=255)
    request_hash = models.CharField(
        verbose_name=_("request hash"),
        max_length=64,
        help_text=_("SHA-256 of method, path and body."),
    )
    status_code = models.PositiveSmallIntegerField(
        verbose_name=_("status code"), null=True, blank=True
    )
    response_body = models.JSONField(
        verbose_name=_("response body"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    response_headers = models.JSONField(
        verbose_name=_("response headers"), default=dict, blank=True
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Event(models.Model):
    """Something that happened, for pipelines and chat (the event outbox, see core.events).

    Written in the transaction of the change it describes, so a rolled-back change leaves
    none; consumers (webhooks, chat channels) read it after the commit."""

    uid = models.UUIDField(verbose_name=_("uid"), unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(verbose_name=_("type"), max_length=100, db_index=True)
    version = models.PositiveSmallIntegerField(verbose_name=_("version"), default=1)
    team_slug = models.CharField(
        verbose_name=_("team slug"), max_length=120, blank=True, db_index=True
    )
    payload = models.JSONField(verbose_name=_("payload"), encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    dispatched_at = models.DateTimeField(
        verbose_name=_("dispatched at"), null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.type} ({self.uid})"
