"""What a reader hands over: cell values and the sheets of a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

# A cell as the readers hand it over: already a Python value, formulas read as their results.
CellValue = str | int | float | bool | date | datetime | time | None


@dataclass(frozen=True)
class SheetInfo:
    name: str
    index: int
    visible: bool = True
