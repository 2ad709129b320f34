"""Where releases name people: the sign-offs a release waits for, each owed by the person the
scenario names for it (`SIGNOFF_RULES`), as `due_signoffs` finds them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation

from releases.models import SIGNOFF_RULES, Release
from releases.selectors import due_signoffs
from scenarios.models import Vacancy
from scenarios.vacancies import GONE, Holder, Place, Places, register


@register
class ReleasePlaces(Places):
    """A due sign-off, by kind (`quality`, `cost`, ...)."""

    model = Release

    def naming(self, person_id: int) -> Iterable[Place]:
        for kind, rule in SIGNOFF_RULES.items():
            # The place's label is stored with the vacancy, in the portal's own language.
            with translation.override(settings.LANGUAGE_CODE):
                label = rule.label.lower()
            for release in due_signoffs(kind).filter(**{"owner_id": person_id}).order_by("pk"):
                yield Place(
                    release.scenario_id,
                    release,
                    Vacancy.Kind.SIGNOFF,
                    kind,
                    f"{label} sign-off of release {release}",
                )

    def holder(self, obj: Any, place: str) -> Holder:
        if not due_signoffs(place).filter(pk=obj.pk).exists():
            return GONE
        return Holder(True, SIGNOFF_RULES[place].signer_id(obj))
