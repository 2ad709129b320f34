"""Forms of the release pages. None of them includes the status: only services change it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.long_choices import LongModelChoiceField
from releases.models import Release, SignOff
from scenarios.models import Scenario


class ReleaseForm(forms.ModelForm):
    """Create or edit a draft. The scenario is chosen only when creating."""

    scenario = LongModelChoiceField(queryset=Scenario.objects.none(), label=_("Scenario"))

    class Meta:
        model = Release
        fields = ("scenario", *Release.EDITABLE_FIELDS)
        labels = {
            "title": _("Title"),
            "change_type": _("Change type"),
            "model_name": _("Model name"),
            "model_version": _("Model version"),
            "alias_name": _("Gateway model alias"),
            "prompt_family": _("Prompt family"),
            "prompt_version": _("Prompt version"),
            "runtime": _("Runtime"),
            "runtime_version": _("Runtime version"),
            "tool_changes": _("Tool changes"),
            "changelog": _("Changelog"),
            "eval_run_ref": _("Eval run reference"),
            "eval_dataset": _("Eval dataset"),
            "eval_score": _("Eval score (0-100)"),
            "eval_coverage": _("Eval coverage of the scenario's eval set (%)"),
            "cost_per_request": _("Cost per request"),
            "accepted_outcome_rate": _("Expected accepted-outcome rate (%)"),
        }
        widgets = {
            "tool_changes": forms.Textarea(attrs={"rows": 3}),
            "changelog": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, scenarios: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["scenario"]
        else:
            cast(forms.ModelChoiceField, self.fields["scenario"]).queryset = scenarios

    def cleaned_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in Release.EDITABLE_FIELDS}


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=SignOff.Decision.choices, label=_("Decision"))
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    as_delegate = forms.BooleanField(
        label=_("I sign as a delegate of the named owner"), required=False
    )


class RollbackForm(forms.Form):
    comment = forms.CharField(
        label=_("Why roll back?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class ReleaseFilterForm(forms.Form):
    scenario = LongModelChoiceField(
        queryset=Scenario.objects.none(),
        required=False,
        label=_("Scenario"),
        empty_label=_("All scenarios"),
    )
    status = forms.ChoiceField(
        choices=[("", _("All states")), *Release.Status.choices], required=False, label=_("State")
    )
    awaiting = forms.BooleanField(required=False, label=_("Awaiting my sign-off"))

    def __init__(self, *args: Any, scenarios: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["scenario"]).queryset = scenarios
