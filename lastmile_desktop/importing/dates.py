"""Dates as head-office exports write them: date cells, serial numbers, ISO and local text.

A text date such as 03/04/2024 is ambiguous until the column shows its order: a first part
over 12 can only be a day. ``DateOrderEvidence`` collects what a column says and
``decide_date_order`` picks the order: the data, else the user's choice, else the region's
habit (then with a note for the summary).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.spreadsheets.cells import CellValue

_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIAL_RANGE = (1, 2_958_466)  # 1900-01-01 .. 9999-12-31
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[T\s,].*)?$")
_DAY_MONTH_NAME = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th|er|\.)?[\s\-/]*([^\W\d_]+)\.?[\s\-/,]*(\d{4}|\d{2})(?:[T\s].*)?$"
)
_MONTH_NAME_DAY = re.compile(
    r"^([^\W\d_]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[T\s].*)?$"
)

# Month names by their first three letters (accents removed), in the languages of the exports.
_MONTHS: dict[str, int] = {}
for _number_of_month, _names in enumerate(
    (
        "jan janv januar enero gen genn janeiro",
        "feb fev fevr februar febrero febbraio fevereiro",
        "mar mars marz maerz marzo maart",
        "apr avr avril april abril aprile",
        "may mai mei maggio mayo maio",
        "jun juin juni junio giugno junho",
        "jul juil juli julio luglio julho",
        "aug aout agosto augustus",
        "sep sept septembre september septiembre settembre setembro",
        "oct okt octobre oktober octubre ottobre outubro",
        "nov novembre november noviembre novembro",
        "dec dez dic dezember diciembre dicembre dezembro december",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number_of_month


def _month_from_name(name: str) -> int | None:
    plain = _strip_accents(name).casefold()
    return _MONTHS.get(plain) or _MONTHS.get(plain[:3])


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _full_year(year: int, digits: int) -> int:
    if digits == 4:
        return year
    # Two-digit years: the nearest century that does not put the date far in the future.
    this_year = date.today().year
    candidate = 2000 + year
    return candidate if candidate <= this_year + 1 else 1900 + year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class NumericDate:
    """A text date whose day and month positions depend on the writer: "03/04/2024"."""

    first: int
    second: int
    year: int

    def resolve(self, order: DateOrder) -> date | None:
        if order is DateOrder.DAY_FIRST:
            return _safe_date(self.year, self.second, self.first)
        return _safe_date(self.year, self.first, self.second)

    @property
    def settles(self) -> DateOrder | None:
        """The order this value proves: a first part over 12 can only be a day."""
        if self.first > 12 >= self.second:
            return DateOrder.DAY_FIRST
        if self.second > 12 >= self.first:
            return DateOrder.MONTH_FIRST
        return None

    @property
    def ambiguous(self) -> bool:
        return self.first != self.second and self.first <= 12 and self.second <= 12


def parse_date_text(text: str) -> date | NumericDate | None:
    """A date when the text says it unambiguously, a ``NumericDate`` when the order is open."""
    text = text.strip()
    if not text:
        return None
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC.match(text)
    if match:
        year_text = match.group(3)
        return NumericDate(
            int(match.group(1)), int(match.group(2)), _full_year(int(year_text), len(year_text))
        )
    match = _DAY_MONTH_NAME.match(text)
    if match:
        month = _month_from_name(match.group(2))
        year_text = match.group(3)
        if month is not None:
            year = _full_year(int(year_text), len(year_text))
            return _safe_date(year, month, int(match.group(1)))
    match = _MONTH_NAME_DAY.match(text)
    if match:
        month = _month_from_name(match.group(1))
        if month is not None:
            return _safe_date(int(match.group(3)), month, int(match.group(2)))
    return None


def parse_date_cell(value: CellValue) -> date | NumericDate | None:
    """A date cell, an Excel serial number, or text (see ``parse_date_text``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, time):
        return None
    if isinstance(value, int | float):
        low, high = _EXCEL_SERIAL_RANGE
        if math.isfinite(value) and low <= value < high:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    return parse_date_text(value)


# Where dates are written month first; everywhere else day first is the usual way.
MONTH_FIRST_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW"})


def region_date_order(region: str) -> DateOrder:
    return DateOrder.MONTH_FIRST if region.upper() in MONTH_FIRST_REGIONS else DateOrder.DAY_FIRST


@dataclass
class DateOrderEvidence:
    """What a column's values say about day-first against month-first."""

    day_first: int = 0
    month_first: int = 0
    ambiguous: int = 0
    example: str | None = None  # an ambiguous value as written, for the note

    def observe(self, parsed: NumericDate, written: str) -> None:
        settles = parsed.settles
        if settles is DateOrder.DAY_FIRST:
            self.day_first += 1
        elif settles is DateOrder.MONTH_FIRST:
            self.month_first += 1
        elif parsed.ambiguous:
            self.ambiguous += 1
            if self.example is None:
                self.example = written

    @property
    def settled(self) -> DateOrder | None:
        if self.day_first > self.month_first:
            return DateOrder.DAY_FIRST
        if self.month_first > self.day_first:
            return DateOrder.MONTH_FIRST
        return None

    @property
    def open_question(self) -> bool:
        """True when the data cannot tell and some value would change with the order."""
        return self.settled is None and self.ambiguous > 0


@dataclass(frozen=True)
class DateOrderDecision:
    order: DateOrder
    note: str | None  # set when the order came from the region, so the summary says so


def decide_date_order(
    evidence: DateOrderEvidence,
    chosen: DateOrder | None,
    region: str,
    column: str,
    setting: DateOrder | None = None,
) -> DateOrderDecision:
    """The data decides; if it cannot, the user's choice, then the database's date order
    setting, else the region's custom (those two with a note when a date could go either way).
    """
    settled = evidence.settled
    if settled is not None:
        return DateOrderDecision(settled, None)
    if chosen is not None:
        return DateOrderDecision(chosen, None)
    order = setting or region_date_order(region)
    if not evidence.open_question:
        return DateOrderDecision(order, None)
    way, other, flag = (
        ("day first", "month first", "--monthfirst")
        if order is DateOrder.DAY_FIRST
        else ("month first", "day first", "--dayfirst")
    )
    if setting is not None:
        note = (
            f'Dates in "{column}" such as {evidence.example} could be read either way; they '
            f"were read {way}, as this database's date order setting says. If they are "
            f"{other}, import again choosing {other} ({flag} on the command line), or change "
            "the setting."
        )
        return DateOrderDecision(order, note)
    note = (
        f'Dates in "{column}" such as {evidence.example} could be read either way; they were '
        f"read {way}, as dates are written in {region.upper()}. If they are {other}, import "
        f"again choosing {other} ({flag} on the command line)."
    )
    return DateOrderDecision(order, note)
