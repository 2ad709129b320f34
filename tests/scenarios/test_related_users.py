"""`attach_people` sets what `select_related` would: the same person (or None) on every key,
with the columns pages read, in one query whatever the number of keys and objects."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.related_users import attach_people
from portal.core.selectors import PERSON_COLUMNS
from scenarios.models import Scenario
from scenarios.selectors import PEOPLE_ON_RECORD

pytestmark = pytest.mark.django_db


def test_it_sets_the_people_select_related_loads(
    make_scenario: Any, django_assert_num_queries: Any
) -> None:
    scenarios = [make_scenario("approved"), make_scenario("draft", cost_owner=None)]
    pks = [scenario.pk for scenario in scenarios]
    joined = {
        s.pk: s for s in Scenario.objects.select_related(*PEOPLE_ON_RECORD).filter(pk__in=pks)
    }
    attached = list(Scenario.objects.filter(pk__in=pks))
    with django_assert_num_queries(1):
        attach_people((attached, PEOPLE_ON_RECORD))
    with django_assert_num_queries(0):
        for scenario in attached:
            for field in PEOPLE_ON_RECORD:
                person, expected = getattr(scenario, field), getattr(joined[scenario.pk], field)
                assert person == expected
                if person is not None:
                    shown = [getattr(person, column) for column in PERSON_COLUMNS]
                    assert shown == [getattr(expected, column) for column in PERSON_COLUMNS]
    assert any(s.cost_owner is None for s in attached)
