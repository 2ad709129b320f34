from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from scenarios.selectors import visible_scenarios
from support.models import SupportRequest

if TYPE_CHECKING:
    from portal.core.models import User


class SupportRequestForm(forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["title", "category", "scenario", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"description": "What you are trying to do, what you tried, what you need."}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scenario = self.fields["scenario"]
        assert isinstance(scenario, forms.ModelChoiceField)
        scenario.queryset = visible_scenarios(user).select_related("team").order_by("name")
        scenario.empty_label = "None (a general question)"


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    body = forms.CharField(label="Answer", widget=forms.Textarea(attrs={"rows": 5}))


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any")] + SupportRequest.Status.choices
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any")] + SupportRequest.Category.choices
    )
    mine = forms.BooleanField(label="Only mine", required=False)
