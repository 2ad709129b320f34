"""Exceptions to the platform's golden path: documented deviations with an expiry."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.core.choice_labels import ChoiceLabels
from portal.core.models import Team, User
from portal.core.transitions import policy
from scenarios.models import Scenario

_policy = partial(policy, "exceptions.policies")


def system_only(instance: Any, user: object) -> bool:
    """Transitions only the periodic tasks perform (`perform(..., system=True)`)."""
    return False


class ExceptionQuerySet(models.QuerySet["PlatformException"]):
    """The register's named sets; their conditions are `PlatformException`'s Q builders."""

    def open(self) -> ExceptionQuerySet:
        """Detected, requested or approved: not yet ended."""
        return self.filter(status__in=PlatformException.OPEN)

    def awaiting_decision(self) -> ExceptionQuerySet:
        """Requested (or justified after detection): what `approve` and `reject` start from."""
        return self.filter(status__in=PlatformException.DECIDABLE)

    def past_expiry(self, day: dt.date) -> ExceptionQuerySet:
        return self.filter(PlatformException.past_expiry_q(day))

    def in_force(self, day: dt.date) -> ExceptionQuerySet:
        return self.filter(PlatformException.in_force_q(day))

    def undocumented(self, day: dt.date) -> ExceptionQuerySet:
        return self.filter(PlatformException.undocumented_q(day))


class PlatformException(ChoiceLabels, FSMModelMixin, models.Model):
    """A documented deviation from the platform's golden path, with an expiry."""

    class Kind(models.TextChoices):
        PROVIDER_KEYS = "provider_keys", _("Product team holds provider keys directly")
        OUTSIDE_GATEWAY = "outside_gateway", _("Model served outside the gateway")
        EVAL_GATE_BYPASS = "eval_gate_bypass", _("Eval gate bypass")
        UNREGISTERED_TOOL = "unregistered_tool", _("Tool outside the registry")
        MANUAL_PROMPT = "manual_prompt", _("Manual prompt approval outside the release process")
        MISSING_OWNER = "missing_owner", _("Missing owner")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DETECTED = "detected", pgettext_lazy("exception state", "Detected (undocumented)")
        REQUESTED = "requested", pgettext_lazy("exception state", "Requested")
        APPROVED = "approved", pgettext_lazy("exception state", "Approved")
        REJECTED = "rejected", pgettext_lazy("exception state", "Rejected")
        EXPIRED = "expired", pgettext_lazy("exception state", "Expired")
        REVOKED = "revoked", pgettext_lazy("exception state", "Revoked")
        CLOSED = "closed", pgettext_lazy("exception state", "Closed")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    kind = models.CharField(verbose_name=_("kind"), max_length=32, choices=Kind.choices)
    other_description = models.CharField(
        verbose_name=_("other description"), max_length=255, blank=True
    )
    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exceptions",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release = models.ForeignKey(
        "releases.Release",
        verbose_name=_("release"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="eval_exceptions",
        help_text=_("For an eval gate bypass: the release it covers, at `release_revision` only."),
    )
    release_revision = models.PositiveIntegerField(
        verbose_name=_("release revision"),
        null=True,
        blank=True,
        help_text=_("The release's revision when the bypass was requested."),
    )
    title = models.CharField(verbose_name=_("title"), max_length=200)
    justification = models.TextField(verbose_name=_("justification"), blank=True)
    risk = models.CharField(verbose_name=_("risk"), max_length=8, choices=Risk.choices, blank=True)
    risk_reason = models.TextField(verbose_name=_("risk reason"), blank=True)
    compensating_controls = models.TextField(verbose_name=_("compensating controls"), blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    detected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("detected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_on = models.DateField(
        verbose_name=_("expires on"), null=True, blank=True, db_index=True
    )
    decision_comment = models.TextField(verbose_name=_("decision comment"), blank=True)
    detection_note = models.TextField(
        verbose_name=_("detection note"),
        blank=True,
        help_text=_("What the platform found, for exceptions it detected."),
    )
    extends = models.ForeignKey(
        "self",
        verbose_name=_("extends"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="extensions",
        help_text=_("The exception this request extends: an extension is a new request."),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.TextField(verbose_name=_("end reason"), blank=True)
    status = FSMField(
        verbose_name=_("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.REQUESTED,
        protected=True,
        db_index=True,
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, db_index=True
    )
    requested_at = models.DateTimeField(verbose_name=_("requested at"), null=True, blank=True)
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)

    objects = ExceptionQuerySet.as_manager()

    class Meta:
        # The table the model had while it lived in the scenarios app: moving it kept the data.
        db_table = "scenarios_platformexception"
        ordering = ["-created_at", "-id"]
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scenario", "kind", "status"]),
            models.Index(fields=["status", "expires_on"]),
        ]

    UNDECIDED: ClassVar[frozenset[str]] = frozenset({Status.DETECTED, Status.REQUESTED})
    # The source of `approve` and `reject`: what waits for a platform decision.
    DECIDABLE: ClassVar[tuple[str, ...]] = (Status.REQUESTED,)
    OPEN: ClassVar[frozenset[str]] = frozenset({Status.DETECTED, Status.REQUESTED, Status.APPROVED})
    ENDED: ClassVar[frozenset[str]] = frozenset(
        {Status.REJECTED, Status.EXPIRED, Status.REVOKED, Status.CLOSED}
    )
    # The ends an approved exception can come to (a rejection ends only a request).
    ENDED_AFTER_APPROVAL: ClassVar[frozenset[str]] = ENDED - {Status.REJECTED}
    # What an extension (a new request pointing at it) may extend.
    EXTENDABLE: ClassVar[frozenset[str]] = frozenset({Status.APPROVED, Status.EXPIRED})
    # The scenarios an exception may not name: the register is public to everyone signed in, a
    # draft is not (`Scenario.PRIVATE_STATES`; detect and request). A team requests one only for
    # a scenario in use, not a rejected or retired one (`Scenario.INACTIVE_STATES`); the
    # platform still records what it finds there (the gateway's drift check does).
    UNNAMED_SCENARIO_STATES: ClassVar[frozenset[str]] = frozenset(Scenario.PRIVATE_STATES)
    UNREQUESTED_SCENARIO_STATES: ClassVar[frozenset[str]] = UNNAMED_SCENARIO_STATES | frozenset(
        Scenario.INACTIVE_STATES
    )
    # Fixed once the exception is decided; the end fields once it has ended. `save` refuses a
    # change to them, so no interface (form, API, admin, shell) can rewrite a decision.
    DECIDED_FIELDS: ClassVar[tuple[str, ...]] = (
        "kind", "other_description", "scenario_id", "team_id", "release_id", "release_revision",
        "title", "justification", "risk",
        "risk_reason", "compensating_controls", "requester_id", "detected_by_id", "approver_id",
        "expires_on", "decision_comment", "detection_note", "extends_id", "requested_at",
        "decided_at", "created_at",
    )  # fmt: skip
    END_FIELDS: ClassVar[tuple[str, ...]] = ("ended_by_id", "end_reason", "ended_at")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        changed = self.changed_frozen_fields()
        if changed:
            from django.core.exceptions import ValidationError

            names = ", ".join(name.removesuffix("_id") for name in changed)
            raise ValidationError(
                gettext("A decided exception cannot be changed (%(names)s).") % {"names": names}
            )
        super().save(*args, **kwargs)
        self._remember_decided()

    def get_absolute_url(self) -> str:
        return f"/exceptions/{self.pk}/"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> PlatformException:
        instance = super().from_db(db, field_names, values)
        instance._remember_decided()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_decided()

    def _remember_decided(self) -> None:
        loaded = self.__dict__
        status = loaded.get("status")
        frozen: tuple[str, ...] = ()
        if status in self.ENDED:
            frozen = self.DECIDED_FIELDS + self.END_FIELDS
        elif status is not None and status not in self.UNDECIDED:
            frozen = self.DECIDED_FIELDS
        self._frozen = {name: loaded[name] for name in frozen if name in loaded}

    def changed_frozen_fields(self) -> list[str]:
        frozen = getattr(self, "_frozen", {})
        return [name for name, value in frozen.items() if self.__dict__.get(name) != value]

    @staticmethod
    def past_expiry_q(day: dt.date) -> models.Q:
        """Approved, with the expiry date come by `day`, and not yet expired by the sweep: an
        exception is valid up to the day before its expiry date."""
        return models.Q(status=PlatformException.Status.APPROVED, expires_on__lte=day)

    @staticmethod
    def in_force_q(day: dt.date) -> models.Q:
        """Approved and still valid on `day`: the expiry date is still to come."""
        return models.Q(status=PlatformException.Status.APPROVED, expires_on__gt=day)

    @staticmethod
    def untracked_q() -> models.Q:
        """Approved without an expiry date: nothing would ever end it."""
        return models.Q(status=PlatformException.Status.APPROVED, expires_on__isnull=True)

    @staticmethod
    def undocumented_q(day: dt.date) -> models.Q:
        """Detected and not justified, or past expiry (`past_expiry_q`)."""
        return models.Q(status=PlatformException.Status.DETECTED) | PlatformException.past_expiry_q(
            day
        )

    def is_past_expiry(self, day: dt.date) -> bool:
        """`past_expiry_q` for this one exception."""
        return (
            self.status == self.Status.APPROVED
            and self.expires_on is not None
            and self.expires_on <= day
        )

    @property
    def is_past_expiry_today(self) -> bool:
        """`is_past_expiry` today (for templates)."""
        return self.is_past_expiry(timezone.localdate())

    @property
    def is_untracked(self) -> bool:
        """`untracked_q` for this one exception."""
        return self.status == self.Status.APPROVED and self.expires_on is None

    @property
    def is_extendable(self) -> bool:
        """In `EXTENDABLE`: an extension request may point at it."""
        return self.status in self.EXTENDABLE

    @property
    def is_undocumented(self) -> bool:
        """`undocumented_q` for this one exception, today."""
        return self.status == self.Status.DETECTED or self.is_past_expiry_today

    @transition(
        field=status, source=Status.DETECTED, target=Status.REQUESTED,
        permission=_policy("can_justify_exception"), custom={"label": _("Justify (document it)")},
    )  # fmt: skip
    def justify(self, by: User | None = None) -> None:
        self.requester = by
        self.requested_at = timezone.now()

    @transition(
        field=status, source=DECIDABLE, target=Status.APPROVED,
        permission=_policy("can_decide_exception"), custom={"label": _("Approve")},
    )  # fmt: skip
    def approve(self, by: User | None = None, expires_on: Any = None, comment: str = "") -> None:
        self.approver = by
        self.expires_on = expires_on
        self.decision_comment = comment
        self.decided_at = timezone.now()

    @transition(
        field=status, source=DECIDABLE, target=Status.REJECTED,
        permission=_policy("can_decide_exception"), custom={"label": _("Reject"), "style": "secondary", "needs_comment": True},
    )  # fmt: skip
    def reject(self, by: User | None = None, comment: str = "") -> None:
        self.approver = by
        self.decision_comment = comment
        self.decided_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.EXPIRED,
        permission=system_only, custom={"label": _("Expire")},
    )  # fmt: skip
    def expire(self) -> None:
        self.ended_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.REVOKED,
        permission=_policy("can_revoke_exception"), custom={
            "label": _("Revoke"),
            "style": "danger",
            "needs_comment": True,
            "confirm": _("Revoke this exception? What it allowed is refused from now on."),
        },
    )  # fmt: skip
    def revoke(self, by: User | None = None, reason: str = "") -> None:
        self.ended_by = by
        self.end_reason = reason
        self.ended_at = timezone.now()

    @transition(
        field=status, source=Status.APPROVED, target=Status.CLOSED,
        permission=_policy("can_close_exception"), custom={"label": _("Close (back on the platform path)"), "style": "secondary"},
    )  # fmt: skip
    def close(self, by: User | None = None, comment: str = "") -> None:
        self.ended_by = by
        self.end_reason = comment
        self.ended_at = timezone.now()
