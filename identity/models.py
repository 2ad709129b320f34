"""Who a person is at the company's identity provider, and which of its groups give which role
or team in the portal."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import roles
from portal.core.models import Team


class GroupMapping(models.Model):
    """One group of the provider's groups claim and the role or the team it gives. Roles and
    teams named by some mapping follow the provider at every sign-in; the others are left as
    an admin set them."""

    group = models.CharField(
        verbose_name=_("group"),
        max_length=200,
        help_text=_(
            "The group exactly as the provider sends it in the groups claim "
            "(a name, or an object id for Microsoft Entra ID)."
        ),
    )
    role = models.CharField(
        verbose_name=_("role"),
        max_length=32,
        choices=[(name, name) for name in roles.ALL],
        blank=True,
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        ordering = ["group", "role"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(team__isnull=False))
                | (~models.Q(role="") & models.Q(team__isnull=True)),
                name="identity_mapping_role_or_team",
                violation_error_message=_("Map the group to exactly one role or one team."),
            ),
            models.UniqueConstraint(
                fields=["group", "role"],
                condition=models.Q(team__isnull=True),
                name="identity_mapping_role_unique",
            ),
            models.UniqueConstraint(
                fields=["group", "team"],
                condition=models.Q(role=""),
                name="identity_mapping_team_unique",
            ),
        ]
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")

    def __str__(self) -> str:
        return f"{self.group} → {self.role or self.team}"


class ExternalIdentity(models.Model):
    """The provider's subject for a portal user: how a returning person is recognised."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    issuer = models.CharField(verbose_name=_("issuer"), max_length=255)
    subject = models.CharField(verbose_name=_("subject"), max_length=255)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
