from __future__ import annotations

from typing import Any

from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = label
        self.fields["q"].widget.input_type = "search"

    def text(self) -> str:
        """The search words, or "" when there are none (or too many characters)."""
        return str(self.cleaned_data.get("q") or "") if self.is_valid() else ""
