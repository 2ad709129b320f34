from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dashboard import sources
from dashboard.windows import DEFAULT_DAYS, WINDOWS


def _window_choices() -> list[tuple[int, str]]:
    """The window lengths, named in the reader's language (read whenever the form is shown)."""
    return [
        (d, ngettext("Last %(count)d day", "Last %(count)d days", d) % {"count": d})
        for d in WINDOWS
    ]


class WindowForm(forms.Form):
    """The window selector and team filter shared by the pages, the CSV and the API."""

    days = forms.TypedChoiceField(
        label=_("Window"),
        choices=_window_choices,
        coerce=int,
        required=False,
        empty_value=None,
        initial=DEFAULT_DAYS,
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=sources.teams(),
        to_field_name="slug",
        required=False,
        empty_label=_("All teams"),
    )

    def chosen(self) -> tuple[int, Any]:
        """The chosen window length and team; the defaults when the input is invalid."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return data.get("days") or DEFAULT_DAYS, data.get("team")

    def querystring(self) -> str:
        """The window as URL parameters, for links that keep it."""
        days, team = self.chosen()
        return f"days={days}" + (f"&team={team.slug}" if team is not None else "")


class ScorecardForm(forms.Form):
    SORTS = [
        ("score", _("Lowest score first")),
        ("-score", _("Highest score first")),
        ("name", _("Name")),
        ("team", _("Team")),
    ]

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=sources.teams(),
        to_field_name="slug",
        required=False,
        empty_label=_("All teams"),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def values(self) -> tuple[Any, str]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return data.get("team"), data.get("sort") or "score"
