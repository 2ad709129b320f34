"""Forms of the hiring profile and onboarding pages. Skills are one per line: area | level | name."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.core import roles
from portal.core.models import Team, User
from staffing.models import ChecklistItem, HiringProfile, Role, SkillArea, TeamOnboarding

SKILLS_HELP = (
    "One skill a line: area | level (1-4) | name, e.g. “evaluation | 3 | Offline eval design”. "
    f"Areas: {', '.join(SkillArea.values)}."
)


def parse_skills(text: str) -> list[dict[str, Any]]:
    """Lines of `area | level | name` as skill dicts; a malformed line is a form error."""
    skills, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or not parts[1].isdigit():
            errors.append(f"Line {number}: write area | level | name.")
            continue
        skills.append({"area": parts[0].lower(), "level": int(parts[1]), "name": parts[2]})
    if errors:
        raise forms.ValidationError(errors)
    return skills


def skills_text(profile: HiringProfile) -> str:
    return "\n".join(f"{s.area} | {s.level} | {s.name}" for s in profile.skills.all())


class ProfileForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    skills = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False,
                             help_text=SKILLS_HELP)  # fmt: skip

    def clean_skills(self) -> list[dict[str, Any]]:
        return parse_skills(self.cleaned_data.get("skills", ""))


class NewProfileForm(ProfileForm):
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ModelChoiceField(
        Team.objects.filter(kind=Team.Kind.PRODUCT).order_by("name"), required=False,
        help_text="Leave empty for the platform's profile of the role.",
    )  # fmt: skip
    field_order = ["role", "team", "title", "summary", "skills"]


class ProfileFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False)
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    flagged = forms.BooleanField(label="Only flagged profiles", required=False)
    current = forms.BooleanField(label="Only versions in force", required=False)


class OnboardingRequestForm(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.filter(kind=Team.Kind.PRODUCT, onboarding__isnull=True).order_by("name")
    )
    onboarding_owner = forms.ModelChoiceField(
        User.objects.filter(is_active=True, groups__name=roles.PLATFORM_REVIEWER).order_by(
            "first_name", "last_name", "username"
        ),
        label="Onboarding owner (platform)",
    )


class OnboardingFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any state"), *TeamOnboarding.Status.choices], required=False
    )


class TickForm(forms.Form):
    item = forms.ChoiceField(choices=ChecklistItem.choices)
