"""A hiring profile as Markdown, for a job description. Every user value is escaped."""

from __future__ import annotations

from django.utils.translation import gettext as _

from scenarios.decision_record import escape_markdown
from staffing.models import HiringProfile


def profile_markdown(profile: HiringProfile) -> str:
    lines = [
        f"# {escape_markdown(profile.title)}",
        "",
        _("Role: %(role)s · version %(version)s · %(state)s")
        % {
            "role": escape_markdown(profile.get_role_display()),
            "version": profile.version,
            "state": profile.get_status_display().lower(),
        },
    ]
    if profile.team is not None:
        lines.append(_("Team: %(team)s") % {"team": escape_markdown(profile.team.name)})
    if profile.summary:
        lines += ["", escape_markdown(profile.summary)]
    headers = (_("Area"), _("Skill"), _("Level"))
    lines += ["", "## " + _("Skills"), "", "| " + " | ".join(headers) + " |", "|---|---|---|"]
    for skill in profile.skills.all():
        lines.append(
            f"| {escape_markdown(skill.get_area_display())} | {escape_markdown(skill.name)} "
            f"| {escape_markdown(skill.get_level_display())} |"
        )
    missing = profile.missing_areas()
    if missing:
        lines += [
            "",
            _("Missing for this role: %(areas)s.") % {"areas": escape_markdown(", ".join(missing))},
        ]
    return "\n".join(lines) + "\n"
