"""The one CSV writer of every export: no cell can run as a spreadsheet formula."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number is never a formula, and a negative one must stay a number.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(value: Any) -> str:
    """The cell's text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return f"'{text}"
    return text


class SafeWriter:
    """`csv.writer` that neutralises every cell of every row, header included."""

    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
