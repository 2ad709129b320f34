"""Writes of golden-path intake templates. Editing publishes a new version; old ones stay.

A scenario points at the exact template row it started from, so publishing version N+1 never
changes what an existing scenario is compared with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from scenarios import policies
from scenarios.models import ScenarioTemplate, Tool

if TYPE_CHECKING:
    from portal.core.models import User

TEMPLATE_FIELDS: tuple[str, ...] = (
    "name", "description", "primary_route", "human_review", "fallback",
    "context_budget_tokens", "prefix_stability", "route_affinity", "cache_hit_slo",
    "hosting", "reviewer_notes",
)  # fmt: skip


def _check(actor: User) -> None:
    if not policies.can_manage_templates(actor):
        raise PermissionDenied(_("Only the platform publishes intake templates."))


def _apply(template: ScenarioTemplate, data: dict[str, Any]) -> None:
    unknown = set(data) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be set here.")))
    for name, value in data.items():
        setattr(template, name, value.strip() if isinstance(value, str) else value)


def _validate(template: ScenarioTemplate, tools: Iterable[Any]) -> list[Tool]:
    errors: dict[str, list[str]] = {}
    try:
        template.full_clean(exclude=["key", "created_by"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wanted = list(tools)
    ids = {t.pk if isinstance(t, Tool) else int(t) for t in wanted}
    picked = list(Tool.objects.allowed().filter(pk__in=ids))
    if len(picked) != len(ids):
        errors.setdefault("allowed_tools", []).append(_("Pick only tools the registry allows."))
    if errors:
        raise ValidationError(errors)
    return picked


def _unique_key(name: str) -> str:
    base = slugify(name)[:90] or "template"
    key, n = base, 1
    while ScenarioTemplate.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def template_create(
    *, actor: User, data: dict[str, Any], tools: Iterable[Any] = ()
) -> ScenarioTemplate:
    """Publish a new intake template as version 1."""
    _check(actor)
    template = ScenarioTemplate(created_by=actor, version=1, is_current=True)
    _apply(template, data)
    picked = _validate(template, tools)
    with transaction.atomic():
        template.key = _unique_key(template.name)
        template.save()
        template.allowed_tools.set(picked)
    return template


def template_update(
    *, actor: User, pk: Any, data: dict[str, Any], tools: Iterable[Any] | None = None
) -> ScenarioTemplate:
    """Publish the edit as the next version of the template; scenarios keep the one they have.

    Returns the current version unchanged when nothing differs. Edits start from the current
    version of the key, so an edit of a stale page still builds on the latest published one."""
    _check(actor)
    with transaction.atomic():
        # Every version row of the key is locked, so two edits at once publish N+1 and N+2.
        rows = list(
            ScenarioTemplate.objects.select_for_update()
            .filter(key=ScenarioTemplate.objects.filter(pk=pk).values("key")[:1])
            .order_by("-version")
        )
        current = next((r for r in rows if r.is_current), rows[0] if rows else None)
        if current is None:
            raise Http404(_("No such template."))
        old_tools = {t.pk for t in current.allowed_tools.all()}
        draft = ScenarioTemplate(
            key=current.key,
            created_by=actor,
            **{name: getattr(current, name) for name in TEMPLATE_FIELDS},
        )
        _apply(draft, data)
        picked = _validate(draft, old_tools if tools is None else tools)
        if _same(current, draft, old_tools, {t.pk for t in picked}):
            return current
        draft.version = max(r.version for r in rows) + 1
        draft.is_current = True
        ScenarioTemplate.objects.filter(key=current.key, is_current=True).update(is_current=False)
        draft.save()
        draft.allowed_tools.set(picked)
    return draft


def _same(
    current: ScenarioTemplate, draft: ScenarioTemplate, old_tools: set[int], new_tools: set[int]
) -> bool:
    return old_tools == new_tools and all(
        getattr(current, name) == getattr(draft, name) for name in TEMPLATE_FIELDS
    )


def template_retire(*, actor: User, pk: Any) -> None:
    """Withdraw a template: no new scenario starts from it; existing ones keep their version."""
    _check(actor)
    with transaction.atomic():
        key = ScenarioTemplate.objects.filter(pk=pk).values_list("key", flat=True).first()
        ScenarioTemplate.objects.filter(key=key, is_current=True).update(is_current=False)
