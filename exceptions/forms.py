"""Browser forms of the register. None of them has a status field or edits a decided exception:
an extension is a new request, pre-filled from the one it extends."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from exceptions import selectors, services
from exceptions.models import PlatformException
from portal.core.long_choices import LongModelChoiceField
from portal.core.models import Team, User
from portal.core.validators import validate_planned
from scenarios import policies
from scenarios.models import Scenario

Kind = PlatformException.Kind
Risk = PlatformException.Risk
TEXT = {"rows": 3}


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class _ScopeFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose…")), *Kind.choices])
    other_description = forms.CharField(
        label=_("Describe the deviation"),
        required=False,
        max_length=255,
        help_text=_("Required when the kind is “Other”."),
    )
    scenario = LongModelChoiceField(
        label=_("Scenario"), queryset=Scenario.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("For a platform-wide exception without a scenario."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for a title from kind and scope."),
    )


class _CaseFields(forms.Form):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Why the platform path does not work here."),
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=[("", _("Choose…")), *Risk.choices])
    risk_reason = forms.CharField(label=_("Why this risk"), widget=forms.Textarea(attrs=TEXT))
    compensating_controls = forms.CharField(
        label=_("Compensating controls"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What limits the risk while the exception lasts."),
    )


class RequestForm(_ScopeFields, _CaseFields):
    release = LongModelChoiceField(
        queryset=PlatformException.objects.none(),
        name_field="title",
        label_columns=(),  # a release's label reads several of its columns
        required=False,
        label=_("Release"),
        help_text=_("For an eval gate bypass: the release it covers (this revision only)."),
    )
    extends = forms.ModelChoiceField(
        queryset=PlatformException.objects.all(), required=False, widget=forms.HiddenInput
    )

    field_order = [
        "kind", "other_description", "scenario", "release", "team", "title", "justification",
        "risk", "risk_reason", "compensating_controls", "extends",
    ]  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = policies.team_ids(user)
        _choices(self, "scenario").queryset = (
            Scenario.objects.filter(team_id__in=teams)
            .exclude(status__in=PlatformException.UNREQUESTED_SCENARIO_STATES)
            .order_by("name")
        )
        _choices(self, "team").queryset = Team.objects.filter(
            pk__in=teams, kind=Team.Kind.PRODUCT
        ).order_by("name")
        _choices(self, "release").queryset = selectors.requestable_releases(user)

    @classmethod
    def initial_from(
        cls, extends: PlatformException | None, scenario: Any, release: Any = None
    ) -> dict[str, Any]:
        """What the form starts with: a copy of the exception it extends, or the scenario, or
        an eval gate bypass of the release (from a release the eval gate blocks)."""
        if extends is None and release is not None:
            return {"kind": Kind.EVAL_GATE_BYPASS, "scenario": release.scenario, "release": release}
        if extends is None:
            return {"scenario": scenario} if scenario is not None else {}
        fields = [
            "kind", "other_description", "scenario", "release", "team", "title", "justification",
            "risk", "risk_reason", "compensating_controls",
        ]  # fmt: skip
        initial = {name: getattr(extends, name) for name in fields}
        if extends.scenario_id:
            initial["team"] = None  # the scenario decides the team
        prefix = "Extension: "
        if not extends.title.startswith(prefix):
            initial["title"] = f"{prefix}{extends.title}"[:200]
        initial["extends"] = extends
        return initial


class DetectForm(_ScopeFields):
    detection_note = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Where and when, and how it was noticed."),
    )
    risk = forms.ChoiceField(
        label=_("Risk"), choices=[("", _("Not assessed yet")), *Risk.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "scenario").queryset = Scenario.objects.exclude(
            status__in=PlatformException.UNNAMED_SCENARIO_STATES
        ).order_by("name")
        _choices(self, "team").queryset = Team.objects.filter(kind=Team.Kind.PRODUCT).order_by(
            "name"
        )
        self.fields["team"].help_text = _(
            "The team whose deviation it is, if there is no scenario."
        )


class JustifyForm(_CaseFields):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs=TEXT), required=False)


class ApproveForm(forms.Form):
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_planned],
        help_text=_("The exception is valid until the day before. Default 30 days, at most 180."),
    )
    comment = forms.CharField(
        label=_("Decision comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = services.default_expiry()
        self.fields["expires_on"].widget.attrs["max"] = services.max_expiry().isoformat()


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("Why it is rejected"), widget=forms.Textarea(attrs=TEXT))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why it is revoked"), widget=forms.Textarea(attrs=TEXT))


class CloseForm(forms.Form):
    comment = forms.CharField(
        label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
