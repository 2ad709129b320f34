"""Markup built in Python is exactly what the templates and filters it replaces produce."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal.core.select_renderer import FormRenderer
from scenarios.forms import ScenarioFilterForm

CHOICES = [("", "Any"), ("a", "Plain"), ("<b>", 'Tags & "quotes"'), (3, mark_safe("<i>safe</i>"))]
GROUPED = [("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Zed")]

WIDGETS = [
    ("plain", forms.Select(choices=CHOICES), "a"),
    ("nothing selected", forms.Select(choices=CHOICES), None),
    ("escaped value selected", forms.Select(choices=CHOICES), "<b>"),
    ("integer value", forms.Select(choices=CHOICES), 3),
    ("optgroups", forms.Select(choices=GROUPED), "y"),
    ("multiple", forms.SelectMultiple(choices=GROUPED), ["x", "z"]),
    (
        "attributes",
        forms.Select(
            choices=CHOICES,
            attrs={
                "required": True,
                "disabled": False,
                "data-x": 'a "q" <t>',
                "aria-describedby": "h",
            },
        ),
        "",
    ),
    ("yes/no/unknown", forms.NullBooleanSelect(), True),
    ("no choices", forms.Select(choices=[]), None),
]


@pytest.mark.parametrize(("case", "widget", "value"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_select_matches_djangos_template(case: str, widget: forms.Widget, value: object) -> None:
    expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert (
        widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer()) == expected
    )


@pytest.mark.django_db
def test_a_whole_filter_form_matches(product_owner: object) -> None:
    data = {"status": "submitted", "route": "nonsense", "q": "<script>"}
    expected = ScenarioFilterForm(data, renderer=DjangoTemplates()).render()
    assert ScenarioFilterForm(data, renderer=FormRenderer()).render() == expected
    assert "<select" in expected


def test_other_widgets_still_use_the_templates() -> None:
    widget = forms.TextInput(attrs={"required": True})
    assert widget.render("q", "x", renderer=FormRenderer()) == widget.render(
        "q", "x", renderer=DjangoTemplates()
    )


AWARE = dt.datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=dt.UTC)
DATE_ONLY = '<time datetime="{{ value|date:\'c\' }}">{{ value|date:"Y-m-d" }}</time>'
CASES = [
    (
        AWARE,
        "{% time_element value %}",
        '<time datetime="{{ value|date:\'c\' }}">{{ value|date:"Y-m-d H:i" }}</time>',
    ),
    (AWARE, '{% time_element value "Y-m-d" %}', DATE_ONLY),
    (AWARE.date(), '{% time_element value "Y-m-d" %}', DATE_ONLY),
    (
        AWARE,
        '{% time_element value "Y-m-d H:i" utc=True %}',
        '<time datetime="{{ value|utc|date:\'c\' }}">{{ value|utc|date:"Y-m-d H:i" }} UTC</time>',
    ),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/Los_Angeles"])
@pytest.mark.parametrize(("value", "tag", "filters"), CASES)
def test_time_element_matches_the_date_filters(
    zone: str, value: dt.date, tag: str, filters: str
) -> None:
    engine = engines["django"]
    with timezone.override(zone):
        mine = engine.from_string("{% load portal_tags %}" + tag).render({"value": value})
        django = engine.from_string("{% load tz %}" + filters).render({"value": value})
    assert mine == django
    assert "2026-03-2" in mine


def test_time_element_is_empty_without_a_value() -> None:
    engine = engines["django"]
    assert engine.from_string("{% load portal_tags %}{% time_element value %}").render({}) == ""
    assert (
        engine.from_string("{% load portal_tags %}{% time_element value %}").render({"value": None})
        == ""
    )
