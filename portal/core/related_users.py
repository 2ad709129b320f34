"""The people a page names, loaded with one query, replacing `select_related` over a page's
user foreign keys: a join per key (nine on the scenario page) made the query slow to plan and
to build. Measured with `bench/inprocess.py` on the scenario page (README, "Signed-in requests
and hand-written machinery"); `tests/scenarios/test_related_users.py` holds it equal to
`select_related`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.core.models import User
from portal.core.selectors import PERSON_COLUMNS


def attach_people(*groups: tuple[Iterable[Any], Iterable[str]]) -> None:
    """Load the users behind the given foreign keys of several objects with one query and set
    them on the objects, as `select_related` would, without joining the user table once per
    key (a join per key makes a query slow to plan and to build).

        attach_people(([scenario], ("product_owner", "platform_owner")), (steps, ("person",)))
    """
    pairs = [(obj, field) for objects, fields in groups for obj in objects for field in fields]
    ids = {getattr(obj, f"{field}_id") for obj, field in pairs}
    people = User.objects.only(*PERSON_COLUMNS).in_bulk(ids - {None})
    for obj, field in pairs:
        obj._meta.get_field(field).set_cached_value(obj, people.get(getattr(obj, f"{field}_id")))
