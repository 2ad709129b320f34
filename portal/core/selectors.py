"""Reads for the core pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.module_loading import module_has_submodule

from portal.core import roles
from portal.core.models import ApiToken, Team, User
from portal.core.pagination import DEFAULT_BOUND, bounded, count_up_to


def app_selectors(name: str) -> list[Callable[..., Any]]:
    """Every other installed app's `selectors.<name>`, in INSTALLED_APPS order: how a page of a
    lower layer shows what higher apps add to it without importing them (as Django's admin
    discovers `admin.py`)."""
    found = []
    for config in apps.get_app_configs():
        if config.name == __package__ or not module_has_submodule(config.module, "selectors"):
            continue
        selector = getattr(import_module(f"{config.name}.selectors"), name, None)
        if selector is not None:
            found.append(selector)
    return found


# How many waiting items a "My work" card lists before its link to the whole list.
WORK_CARD_ITEMS = 5
# A card counts no further than the lists do (`portal.core.pagination`): past it, "250+".
WORK_CARD_COUNT_BOUND = DEFAULT_BOUND


def work_card(
    label: str, url: str, items: Iterable[Any], count: int, describe: Callable[[Any], str] = str
) -> dict[str, Any]:
    """One "My work" card: what waits, how many, the first few with their links, and the list.
    `items` is the first `WORK_CARD_ITEMS` objects (each with `get_absolute_url`), `describe`
    says what to print for one; `count` is counted no further than `WORK_CARD_COUNT_BOUND` plus
    one (more than the bound shows as the bound and "+")."""
    listed = [{"title": describe(obj), "url": obj.get_absolute_url()} for obj in items]
    shown, exact = bounded(count, WORK_CARD_COUNT_BOUND)
    return {
        "label": label,
        "count": shown,
        "count_is_exact": exact,
        "url": url,
        "items": listed,
    }


def queryset_card(label: str, url: str, queryset: Any, **options: Any) -> dict[str, Any]:
    """A card over a queryset in its list order: its bounded count and its first items."""
    count = count_up_to(queryset, WORK_CARD_COUNT_BOUND + 1)
    first = list(queryset[:WORK_CARD_ITEMS]) if count else []
    return work_card(label, url, first, count, **options)


def work_for(user: User) -> dict[str, Any]:
    """What waits for this user, gathered from every app that declares a `work_for` selector."""
    work: dict[str, Any] = {}
    for selector in app_selectors("work_for"):
        work.update(selector(user))
    return work


# What pages show of a person: the name, the address, and whether the account is active.
PERSON_COLUMNS = ("username", "first_name", "last_name", "email", "is_active")


def product_teams() -> Any:
    return Team.objects.filter(kind=Team.Kind.PRODUCT)


def active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def people_with_role(role: str) -> QuerySet[User]:
    """The active people who hold `role` (`roles.holders`): whom the role's work goes to, e.g.
    `people_with_role(roles.PLATFORM_REVIEWER)`, the platform reviewers."""
    return User.objects.filter(roles.holders(role), is_active=True).distinct()


def tokens_of(user: User) -> Any:
    """The user's personal API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")


def all_tokens(username: str = "") -> Any:
    """Every user's tokens (for admins), optionally of one username."""
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created")
    return tokens.filter(user__username=username) if username else tokens
