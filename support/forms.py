from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.core.long_choices import LongModelChoiceField
from scenarios.selectors import visible_scenarios
from support.models import SupportRequest

if TYPE_CHECKING:
    from portal.core.models import User


class SupportRequestForm(forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["title", "category", "scenario", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        labels = {
            "title": _("Title"),
            "category": _("Category"),
            "scenario": _("Scenario"),
            "description": _("Description"),
        }
        help_texts = {"description": _("What you are trying to do, what you tried, what you need.")}
        field_classes = {"scenario": LongModelChoiceField}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scenario = self.fields["scenario"]
        assert isinstance(scenario, forms.ModelChoiceField)
        scenario.queryset = visible_scenarios(user).order_by("name")
        scenario.empty_label = gettext("None (a general question)")


class CommentForm(forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("support thread", "Comment"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("support thread", "Answer"), widget=forms.Textarea(attrs={"rows": 5})
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any"))] + SupportRequest.Status.choices
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any"))] + SupportRequest.Category.choices,
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
