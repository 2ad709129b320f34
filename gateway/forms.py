from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PlaygroundForm(forms.Form):
    alias = forms.ChoiceField(label=_("Model alias"))
    prompt = forms.CharField(
        label=_("Prompt"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, aliases: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alias"].choices = [(name, name) for name in aliases]  # type: ignore[attr-defined]
