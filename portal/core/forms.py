from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.core.token_services import DEFAULT_DAYS, MAX_DAYS


def _expiry_help() -> str:
    return ngettext(
        "%(default)d day unless you need otherwise; at most %(max)d.",
        "%(default)d days unless you need otherwise; at most %(max)d.",
        DEFAULT_DAYS,
    ) % {"default": DEFAULT_DAYS, "max": MAX_DAYS}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “support-bot release pipeline”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires in (days)"),
        initial=DEFAULT_DAYS,
        min_value=1,
        max_value=MAX_DAYS,
        # Said in the reader's language, so put together when the form is shown.
        help_text=lazy(_expiry_help, str)(),
    )
