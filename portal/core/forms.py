from __future__ import annotations

from django import forms

from portal.core.token_services import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What uses it, e.g. “support-bot release pipeline”.",
    )
    expires_in_days = forms.IntegerField(
        label="Expires in (days)",
        initial=DEFAULT_DAYS,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=f"{DEFAULT_DAYS} days unless you need otherwise; at most {MAX_DAYS}.",
    )
