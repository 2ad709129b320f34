"""HTML forms for incidents. They shape input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.models import Incident, RollbackAction, Severity
from portal.core import long_choices
from portal.core.long_choices import LongModelChoiceField, PersonChoiceField
from portal.core.models import User
from portal.core.validators import validate_past, validate_planned
from releases.models import Release
from scenarios.models import Scenario, Tool

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE = "%Y-%m-%d"  # what <input type="date"> reads, whatever the language


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _people_field(field: Any, people: list[User] | None) -> None:
    """Point a person field at active users; with `people` given (`long_choices.read`), render
    from that list so several person fields on one page cost one query."""
    field.queryset = User.objects.filter(is_active=True)
    if people is not None:
        long_choices.share(field, people)


class ScenarioPickForm(forms.Form):
    """Step one of opening an incident when no scenario was given in the link."""

    scenario = LongModelChoiceField(queryset=Scenario.objects.none(), label=_("Scenario"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "scenario").queryset = selectors.openable_scenarios(user)


class IncidentOpenForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    severity = forms.ChoiceField(
        choices=[("", _("Choose the severity")), *Severity.choices],
        label=_("Severity"),
        help_text=_("SEV1 also alerts the whole escalation path; SEV1 and SEV2 need a postmortem."),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("Description"),
        help_text=_("What users see, since when, how many are affected."),
    )
    impact_started_at = forms.DateTimeField(
        label=_("Impact started (UTC)"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        validators=[validate_past],
        help_text=_("When users were first affected; defaults to now."),
    )
    release = forms.ModelChoiceField(
        queryset=Release.objects.none(),
        required=False,
        label=_("Release at fault"),
        empty_label=_("Not known"),
    )
    accept_interim_owner = forms.BooleanField(
        required=False,
        label=_("Open it anyway, with the platform owner as interim incident owner"),
        help_text=_("The scenario's RACI is missing owners; the gap is recorded as a finding."),
    )

    def __init__(self, *args: Any, scenario: Scenario, snapshot: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"impact_started_at": timezone.now().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)
        _model_field(self, "release").queryset = selectors.scenario_releases(scenario)
        if snapshot is not None and snapshot.interim_owner is None:
            self.fields["accept_interim_owner"].label = gettext(
                "Open it anyway; the missing owners are recorded as a finding"
            )


class HandOverForm(forms.Form):
    to = PersonChoiceField(queryset=User.objects.none(), label=_("Hand over to"))
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Note for them")
    )

    def __init__(self, *args: Any, people: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(_model_field(self, "to"), people)


class UpdateForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=pgettext_lazy("incident timeline", "Update")
    )


class RollbackForm(forms.Form):
    """One of two forms on the incident page: roll back a prompt or model (`for_tool=False`),
    or disable a tool (`for_tool=True`). Both post to the same URL and service."""

    kind = forms.ChoiceField(
        choices=RollbackAction.Kind.choices, label=pgettext_lazy("rollback form field", "Roll back")
    )
    release = forms.ModelChoiceField(queryset=Release.objects.none(), label=_("Release"))
    tool = forms.ModelChoiceField(queryset=Tool.objects.none(), required=False, label=_("Tool"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))

    def __init__(
        self, *args: Any, incident: Incident, choices: dict[str, Any], for_tool: bool, **kwargs: Any
    ) -> None:
        # Two of these forms share a page: distinct ids keep every label tied to its field.
        kwargs.setdefault("auto_id", "tool-rollback-%s" if for_tool else "release-rollback-%s")
        super().__init__(*args, **kwargs)
        # Choices come from selectors.rollback_choices, already loaded; validation re-queries.
        releases = _model_field(self, "release")
        releases.queryset = selectors.scenario_releases(incident.scenario)
        listed = choices["tool_releases"] if for_tool else choices["releases"]
        releases.choices = [("", "---------")] + [
            (r.pk, f"{r} · {r.get_status_display()}") for r in listed
        ]
        if for_tool:
            _choice_field(self, "kind").choices = [
                (RollbackAction.Kind.TOOL, gettext("Tool rollback"))
            ]
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = RollbackAction.Kind.TOOL
            releases.label = gettext("Release that brought the tool in")
            tool = _model_field(self, "tool")
            tool.required = True
            tool.queryset = incident.scenario.allowed_tools.all()
            tool.choices = [("", "---------")] + [(t.pk, str(t)) for t in choices["tools"]]
        else:
            _choice_field(self, "kind").choices = [
                (k, v) for k, v in RollbackAction.Kind.choices if k != RollbackAction.Kind.TOOL
            ]
            releases.label = gettext("Live release to roll back")
            releases.help_text = gettext("The model alias returns to the release before it.")
            del self.fields["tool"]


class PostmortemForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=pgettext_lazy("postmortem", "Summary")
    )
    timeline = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=pgettext_lazy("postmortem", "Timeline"),
        help_text=_("What happened when, from the first impact to the resolution."),
    )
    contributing_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Contributing factors")
    )
    what_went_well = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("What went well")
    )


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, required=False, label=_("Action item"))
    owner = PersonChoiceField(queryset=User.objects.none(), required=False, label=_("Owner"))
    due_on = forms.DateField(
        required=False,
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE),
        validators=[validate_planned],
    )
    done = forms.BooleanField(required=False, label=pgettext_lazy("action item", "Done"))

    def __init__(self, *args: Any, people: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(_model_field(self, "owner"), people)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and not (data.get("owner") and data.get("due_on")):
            raise forms.ValidationError(gettext("Each action item needs an owner and a due date."))
        return data


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=2)
