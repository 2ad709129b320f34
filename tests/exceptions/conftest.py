"""Fixtures of the exception tests: the scenario fixtures they build on."""

from tests.scenarios.scenario_fixtures import (  # noqa: F401
    make_scenario,
    people,
    submitter,
)
