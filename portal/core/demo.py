"""Demo people and teams. Idempotent: running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from portal.core import roles
from portal.core.models import Team, User

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - demo accounts only, listed in the README

TEAMS = [
    (
        "Platform",
        "platform",
        Team.Kind.PLATFORM,
        "Gateway, model aliases, eval tooling, observability.",
    ),
    ("Customer Support AI", "support-ai", Team.Kind.PRODUCT, "Assistants for the support desk."),
    (
        "Back Office Automation",
        "back-office",
        Team.Kind.PRODUCT,
        "Agentic workflows for finance and ops.",
    ),
]

# username, first, last, roles, teams
PEOPLE = [
    ("product", "Priya", "Patel", [roles.PRODUCT_OWNER], ["support-ai"]),
    ("product2", "Bruno", "Barros", [roles.PRODUCT_OWNER], ["back-office"]),
    ("reviewer", "Rita", "Reyes", [roles.PLATFORM_REVIEWER], ["platform"]),
    ("platform", "Omar", "Okafor", [roles.PLATFORM_REVIEWER], ["platform"]),
    ("quality", "Quinn", "Quist", [roles.QUALITY_OWNER], ["support-ai", "back-office"]),
    ("cost", "Carla", "Costa", [roles.COST_OWNER], ["support-ai", "back-office"]),
    ("incident", "Ian", "Ito", [roles.INCIDENT_OWNER], ["support-ai", "back-office"]),
    ("admin", "Ada", "Admin", [roles.ADMIN], ["platform"]),
    # A team member named for no sign-off: drafts releases, so nobody signs their own work.
    ("engineer", "Elif", "Engel", [], ["support-ai", "back-office"]),
]


def ensure_roles() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL}


def load(people: dict[str, Any]) -> None:
    groups = ensure_roles()
    teams = {}
    for name, slug, kind, description in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "description": description}
        )
    for username, first, last, role_list, team_slugs in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if username == "admin":
                user.is_staff = True
                user.is_superuser = True
            user.save()
        user.groups.add(*(groups[r] for r in role_list))
        for slug in team_slugs:
            teams[slug].members.add(user)
        people[username] = user
    people["teams"] = teams
