from __future__ import annotations

from typing import Any

from django import forms

from dashboard import sources
from dashboard.windows import DEFAULT_DAYS, WINDOWS


class WindowForm(forms.Form):
    """The window selector and team filter shared by the pages, the CSV and the API."""

    days = forms.TypedChoiceField(
        label="Window",
        choices=[(d, f"Last {d} days") for d in WINDOWS],
        coerce=int,
        required=False,
        empty_value=None,
        initial=DEFAULT_DAYS,
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=sources.teams(),
        to_field_name="slug",
        required=False,
        empty_label="All teams",
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
        ("score", "Lowest score first"),
        ("-score", "Highest score first"),
        ("name", "Name"),
        ("team", "Team"),
    ]

    team = forms.ModelChoiceField(
        label="Team",
        queryset=sources.teams(),
        to_field_name="slug",
        required=False,
        empty_label="All teams",
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORTS, required=False)

    def values(self) -> tuple[Any, str]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return data.get("team"), data.get("sort") or "score"
