"""Where incidents name people: the owners of every incident not closed yet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from incidents.models import Incident
from scenarios.models import Vacancy
from scenarios.vacancies import GONE, Holder, Place, Places, register

# Whom the incident owner handed it to holds it; the other places are named by their field.
LABELS = {"handed_to": "holder"}


@register
class IncidentPlaces(Places):
    """An open incident's owners, by field (`incident_owner`, `handed_to`, ...)."""

    model = Incident

    def naming(self, person_id: int) -> Iterable[Place]:
        naming = Q()
        for field in Incident.OWNER_FIELDS:
            naming |= Q(**{f"{field}_id": person_id})
        for incident in Incident.objects.open().filter(naming).order_by("pk"):
            for field in Incident.OWNER_FIELDS:
                if getattr(incident, f"{field}_id") == person_id:
                    yield Place(
                        incident.scenario_id,
                        incident,
                        Vacancy.Kind.INCIDENT_OWNER,
                        field,
                        f"{LABELS.get(field, field.replace('_', ' '))} of incident {incident}",
                    )

    def holder(self, obj: Any, place: str) -> Holder:
        person_id = getattr(obj, f"{place}_id")
        # Handed back to the incident owner: nobody holds a hand-over any more.
        if obj.is_final or (place == "handed_to" and person_id is None):
            return GONE
        if place == "incident_owner":
            # Whom the incident was handed to holds it in the incident owner's place.
            person_id = obj.handed_to_id or person_id
        return Holder(True, person_id)
