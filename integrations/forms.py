from __future__ import annotations

from typing import Any

from django import forms

from integrations.models import ChatChannel
from portal.core import events
from portal.core.models import Team


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )  # fmt: skip
    team = forms.ModelChoiceField(
        Team.objects.order_by("name"), required=False, to_field_name="slug",
        help_text="Only this team's events; empty: every team's.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event_types"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t, t) for t in events.event_types()]


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(choices=ChatChannel.Kind.choices)
    name = forms.CharField(max_length=100, help_text="How the channel is known, e.g. #ai-ops.")
    url = forms.URLField(max_length=500, label="Incoming webhook URL", assume_scheme="https")
