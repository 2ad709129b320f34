from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import ChatChannel
from portal.core import events
from portal.core.models import Team


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False, label=_("Description"))
    event_types = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Event types"),
        help_text=_("None ticked: every event."),
    )  # fmt: skip
    team = forms.ModelChoiceField(
        Team.objects.order_by("name"), required=False, to_field_name="slug", label=_("Team"),
        help_text=_("Only this team's events; empty: every team's."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event_types"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t, t) for t in events.event_types()]


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(choices=ChatChannel.Kind.choices, label=_("Kind"))
    name = forms.CharField(
        max_length=100, label=_("Name"), help_text=_("How the channel is known, e.g. #ai-ops.")
    )
    url = forms.URLField(max_length=500, label=_("Incoming webhook URL"), assume_scheme="https")
