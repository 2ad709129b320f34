"""The cached figures are pickled by `dashboard.texts.dumps`: what comes back is what went in,
translated in the reader's language, without a proxy class built for each lazy text."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from dashboard import metrics, texts
from dashboard.windows import Window
from tests.dashboard.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _texts(computed: list[metrics.Metric]) -> list[str]:
    shown = []
    for metric in computed:
        shown += [str(metric.label), str(metric.definition)]
        shown += [str(figure.label) for figure in metric.figures]
    return shown


@pytest.mark.parametrize("language", ["en-gb", "ru"])
def test_figures_come_back_equal_and_translated(language: str) -> None:
    computed = metrics.dashboard(Window(days=30, end=NOW))
    loaded = texts.loads(texts.dumps(computed))
    assert loaded == computed
    with translation.override(language):
        assert _texts(loaded) == _texts(computed)
    with translation.override("ru"):
        russian = _texts(loaded)
    with translation.override("en-gb"):
        assert _texts(loaded) != russian  # still lazy: translated when shown


def test_a_lazy_function_has_one_class_whatever_the_number_of_texts() -> None:
    value = [gettext_lazy("Platform wait"), gettext_lazy("Release cadence"), texts.NOBODY]
    first, second = texts.loads(texts.dumps(value)), texts.loads(texts.dumps(value))
    assert len({type(text) for text in first + second}) == 1
    # Pickle's own way builds one per text: the cost `dumps` takes away.
    plain = pickle.loads(pickle.dumps(value))  # noqa: S301
    assert len({type(text) for text in plain}) == len(plain)


def test_interpolated_lowered_and_plural_texts_round_trip() -> None:
    value = [
        texts.interpolated(gettext_lazy("%(count)s incidents"), {"count": 3}),
        texts.lowered(gettext_lazy("Platform wait")),
        ngettext_lazy("%(n)s day", "%(n)s days", "n") % {"n": 2},
    ]
    loaded: list[Any] = texts.loads(texts.dumps(value))
    with translation.override("en-gb"):
        assert [str(text) for text in loaded] == [str(text) for text in value]
        assert str(loaded[1]) == "platform wait"
