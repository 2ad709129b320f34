"""Forms of the hiring profile and onboarding pages. Skills are one per line: area | level | name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.core import roles
from portal.core.long_choices import PersonChoiceField
from portal.core.models import Team
from portal.core.selectors import people_with_role
from staffing.models import ChecklistItem, HiringProfile, Role, SkillArea, TeamOnboarding


def _skills_help() -> str:
    return gettext(
        "One skill a line: area | level (1-4) | name, e.g. “evaluation | 3 | Offline eval design”. "
        "Areas: %(areas)s."
    ) % {"areas": ", ".join(SkillArea.values)}


SKILLS_HELP = lazy(_skills_help, str)()


def parse_skills(text: str) -> list[dict[str, Any]]:
    """Lines of `area | level | name` as skill dicts; a malformed line is a form error."""
    skills, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or not parts[1].isdigit():
            errors.append(
                gettext("Line %(number)s: write area | level | name.") % {"number": number}
            )
            continue
        skills.append({"area": parts[0].lower(), "level": int(parts[1]), "name": parts[2]})
    if errors:
        raise forms.ValidationError(errors)
    return skills


def skills_text(profile: HiringProfile) -> str:
    return "\n".join(f"{s.area} | {s.level} | {s.name}" for s in profile.skills.all())


class ProfileForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=pgettext_lazy("hiring profile", "Summary"),
    )
    skills = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False,
                             label=_("Skills"), help_text=SKILLS_HELP)  # fmt: skip

    def clean_skills(self) -> list[dict[str, Any]]:
        return parse_skills(self.cleaned_data.get("skills", ""))


class NewProfileForm(ProfileForm):
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))
    team = forms.ModelChoiceField(
        Team.objects.filter(kind=Team.Kind.PRODUCT).order_by("name"), required=False,
        label=_("Team"), help_text=_("Leave empty for the platform's profile of the role."),
    )  # fmt: skip
    field_order = ["role", "team", "title", "summary", "skills"]


class ProfileFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(
        choices=[("", _("Any role")), *Role.choices], required=False, label=_("Role")
    )
    flagged = forms.BooleanField(label=_("Only flagged profiles"), required=False)
    current = forms.BooleanField(label=_("Only versions in force"), required=False)


class OnboardingRequestForm(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.filter(kind=Team.Kind.PRODUCT, onboarding__isnull=True).order_by("name"),
        label=_("Team"),
    )
    onboarding_owner = PersonChoiceField(
        people_with_role(roles.PLATFORM_REVIEWER).order_by("first_name", "last_name", "username"),
        label=_("Onboarding owner (platform)"),
    )


class OnboardingFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any state")), *TeamOnboarding.Status.choices],
        required=False,
        label=_("Status"),
    )


class TickForm(forms.Form):
    item = forms.ChoiceField(choices=ChecklistItem.choices, label=_("Item"))
