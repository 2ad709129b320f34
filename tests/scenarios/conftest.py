"""Fixtures shared by the scenario tests. Each area keeps its fixtures in its own module and
exposes them here."""

from tests.scenarios.amendment_fixtures import (  # noqa: F401
    make_amendment,
    new_cost_owner,
)
from tests.scenarios.scenario_fixtures import (  # noqa: F401
    make_scenario,
    people,
    submitter,
)
