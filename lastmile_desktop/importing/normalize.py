"""Turning spreadsheet cells into clean values: phones, dates, money, counts, stores, names.

Every reader here takes a cell as the readers hand it over (``CellValue``) and returns a
clean value, or ``None`` when the cell is empty or cannot be read. Nothing here touches the
database; the import service decides what an unreadable value means for the row.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers.phonemetadata import PhoneMetadata

from lastmile_desktop.importing.model import CellValue, DateOrder

# ---------------------------------------------------------------------------------------------
# Text


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: CellValue) -> str:
    """A cell as a person would read it: 12.0 is "12", a date is ISO, empty is ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


_SPACES = re.compile(r"\s+")


def clean_text(value: CellValue) -> str | None:
    """Trimmed text with inner runs of spaces made one; Unicode kept (NFC). Empty: None."""
    if value is None:
        return None
    text = value.strip() if type(value) is str else cell_text(value)
    if not text:
        return None
    # Most cells are plain ASCII with single spaces: nothing to change, nothing to scan.
    if text.isascii() and text.isprintable() and "  " not in text:
        return text
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text))


# Words that belong to the family name: "Ludwig van Beethoven", "Juan de la Cruz".
_NAME_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos", "du", "la", "le"}
    | {"ten", "ter", "bin", "ibn", "al", "el", "mac", "st"}
)


def split_full_name(value: CellValue) -> tuple[str | None, str | None]:
    """(first, last) from "First Last" or "Last, First"."""
    text = clean_text(value)
    if text is None:
        return None, None
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip() or None, last.strip() or None
    words = text.split(" ")
    if len(words) == 1:
        return None, words[0]
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _NAME_PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


# ---------------------------------------------------------------------------------------------
# Stores

_STORE_WORDS = (
    r"(?:store|shop|branch|outlet|site|magasin|boutique|filiale|tienda|sucursal|winkel|"
    r"filiaal|negozio|loja|st\.?)"
)
_STORE_NUMBER = re.compile(
    rf"^(?:{_STORE_WORDS}\s*)?(?:no\.?|nr\.?|num(?:ber)?\.?|n°|#)?\s*0*(\d+)$", re.IGNORECASE
)
STORE_CODE_MAX_LENGTH = 32


@dataclass(frozen=True)
class StoreRef:
    """A store as a row names it: ``code`` identifies it, ``name`` is used when it is new."""

    code: str
    name: str
    # How stores are matched: codes compare without regard to case ("MAN01" is "man01").
    key: str = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.code.casefold())


def read_store(value: CellValue) -> StoreRef | None:
    """12, 12.0, "12", "012", "Store 12" and "store #12" all give code "12", name "Store 12"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if text is None:
        return None
    match = _STORE_NUMBER.match(text)
    if match:
        number = str(int(match.group(1)))
        return StoreRef(code=number, name=f"Store {number}")
    return StoreRef(code=text[:STORE_CODE_MAX_LENGTH], name=text)


# ---------------------------------------------------------------------------------------------
# Money and counts

_NOT_NUMBER = re.compile(r"[^\d.,\-+()]")
_CURRENCY_WORDS = re.compile(
    r"\b(?:eur|euro|euros|usd|gbp|chf|sek|nok|dkk|pln|czk|aud|cad|nzd|zar|kr|zl|fr|ct)\b",
    re.IGNORECASE,
)


def _number_from_text(text: str) -> float | None:
    """ "1.234,50 €", "£1,234.50", "1 234,50", "(12.50)", "-3" -> a float; None if not a number."""
    text = _CURRENCY_WORDS.sub("", text)
    text = text.replace("'", "").replace("’", "")  # Swiss thousands: 1'234.50
    text = _NOT_NUMBER.sub("", text)
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("+-()")
    if not text or not any(ch.isdigit() for ch in text):
        return None
    if any(ch in "+-()" for ch in text):
        return None
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        # Both appear: whichever comes last separates the decimals.
        decimal = "." if last_dot > last_comma else ","
        thousands = "," if decimal == "." else "."
        text = text.replace(thousands, "").replace(decimal, ".")
    elif last_dot >= 0 or last_comma >= 0:
        separator = "." if last_dot >= 0 else ","
        parts = text.split(separator)
        # One separator followed by exactly three digits is a thousands separator ("1,234").
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(part) == 3 for part in parts[1:]):
                return None
            text = "".join(parts)
        else:
            text = ".".join(parts)
    try:
        number = float(text)
    except ValueError:
        return None
    return -number if negative else number


def _number(value: CellValue) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return _number_from_text(value)
    return None


def read_money_cents(value: CellValue) -> int | None:
    """An amount in cents from a number or text with a currency sign and either decimal mark."""
    number = _number(value)
    if number is None or abs(number) >= 1e13:
        return None
    return round(number * 100)


def read_count(value: CellValue) -> int | None:
    """A whole, non-negative count (visits): 12, 12.0, "12", "1,234"."""
    number = _number(value)
    if number is None or number < 0 or not number.is_integer() or number >= 2**31:
        return None
    return int(number)


# ---------------------------------------------------------------------------------------------
# Dates

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
    evidence: DateOrderEvidence, chosen: DateOrder | None, region: str, column: str
) -> DateOrderDecision:
    """The data decides; if it cannot, the user's choice; else the region's custom, noted."""
    settled = evidence.settled
    if settled is not None:
        return DateOrderDecision(settled, None)
    if chosen is not None:
        return DateOrderDecision(chosen, None)
    order = region_date_order(region)
    if not evidence.open_question:
        return DateOrderDecision(order, None)
    way, other, flag = (
        ("day first", "month first", "--monthfirst")
        if order is DateOrder.DAY_FIRST
        else ("month first", "day first", "--dayfirst")
    )
    note = (
        f'Dates in "{column}" such as {evidence.example} could be read either way; they were '
        f"read {way}, as dates are written in {region.upper()}. If they are {other}, import "
        f"again choosing {other} ({flag} on the command line)."
    )
    return DateOrderDecision(order, note)


# ---------------------------------------------------------------------------------------------
# Phones

_SPLIT_NUMBERS = re.compile(r"\s*(?:[;,|\n/]|&|\band\b|\bor\b|\bou\b|\boder\b|\bo\b)\s*", re.I)
# What people put between digits: spaces (also no-break), dashes, dots, brackets.
_LAYOUT_CHARACTERS = str.maketrans("", "", " -.()\u00a0\u202f")
_MAX_CELL_LENGTH = 200


# Any one type makes a number valid, so the common ones are tried first.
_TYPE_DESCRIPTIONS = (
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


class RegionValidity:
    """``phonenumbers``' own validity rule for one region, as one compiled pattern.

    The rule (``is_valid_number_for_region``): the national number fits the region's general
    description and one of its number types, each a set of lengths and a pattern. Here the
    descriptions are joined into one regular expression of the same meaning, so a number is
    checked in one match instead of a dozen cached-pattern lookups.
    """

    def __init__(self, metadata: PhoneMetadata) -> None:
        names = list(_TYPE_DESCRIPTIONS)
        if not metadata.same_mobile_and_fixed_line_pattern:
            names.insert(0, "mobile")
        general = self._part(metadata.general_desc)
        types = [part for name in names if (part := self._part(getattr(metadata, name, None)))]
        pattern = re.compile(f"(?={general})(?:{'|'.join(types)})") if general and types else None
        self._match = pattern.match if pattern is not None else None

    @staticmethod
    def _part(description: object) -> str | None:
        """A description as a pattern that matches the whole national number, or None."""
        pattern = getattr(description, "national_number_pattern", None)
        if not pattern:
            return None
        lengths = sorted(getattr(description, "possible_length", ()) or ())
        if lengths and max(lengths) <= 0:
            return None  # "no numbers of this type": phonenumbers' length test never passes
        if lengths:
            any_length = "|".join(r"\d{%d}" % length for length in lengths if length > 0)  # noqa: UP031
            length_check = rf"(?=(?:{any_length})\Z)"
        else:
            length_check = ""
        return rf"(?:{length_check}(?:{pattern})\Z)"

    def __call__(self, national: str) -> bool:
        """``national``: the national significant number, ASCII digits only."""
        return self._match is not None and self._match(national) is not None


class _StartPattern:
    """A metadata pattern matched at the start of a number ("0|180020", "00", "011").

    Most are plain alternatives of digits; those are tested with ``startswith`` in the
    pattern's order, which is what the regular expression would do, only faster.
    """

    def __init__(self, pattern: str) -> None:
        alternatives = pattern.split("|")
        plain = all(alternative.isdigit() for alternative in alternatives)
        # A plain pattern is tested in one ``startswith`` call with this tuple.
        self.literals = tuple(alternatives) if plain else None
        self._regex = re.compile(pattern)

    def match_end(self, digits: str) -> int | None:
        """Where the pattern's match at the start of ``digits`` ends; None if it does not."""
        literals = self.literals
        if literals is not None:
            if not digits.startswith(literals):
                return None
            for literal in literals:
                if digits.startswith(literal):
                    return len(literal)
        match = self._regex.match(digits)
        return None if match is None else match.end()


class PhoneReading(NamedTuple):
    numbers: tuple[str, ...]  # valid numbers in E.164, in the order written
    invalid: str | None  # the first number that could not be dialled, as written


_EMPTY_READING = PhoneReading((), None)
# Makes a PhoneReading without the named tuple's Python-level __new__: a number a row adds up.
_reading: Callable[[tuple[tuple[str, ...], str | None]], PhoneReading] = functools.partial(
    tuple.__new__, PhoneReading
)


class PhoneReader:
    """Phone cells to E.164 for one default region, validated by ``phonenumbers``.

    Parsing with ``phonenumbers`` costs about 30 µs a number, the largest share of an import.
    Most cells hold a plainly written national or +country number of the default region; for
    those the country code and national prefix are stripped here, by the region's own
    metadata, and only the validity check (a few µs) is left to ``phonenumbers``. Anything
    else, or anything that check does not accept, goes through the full ``phonenumbers.parse``.
    Readings that needed the full parser are cached by the text as written.
    """

    def __init__(self, region: str) -> None:
        self.region = region.upper()
        metadata = PhoneMetadata.metadata_for_region(self.region)
        if metadata is None:
            raise ValueError(f"unknown region {region!r}")
        self._metadata = metadata
        self._country_code = int(metadata.country_code or 0)
        self._country_code_text = str(self._country_code)
        self._plus_code = f"+{self._country_code}"
        self._national_prefix_length = len(metadata.national_prefix or "")
        prefix_pattern = metadata.national_prefix_for_parsing
        self._prefix_regex = (
            _StartPattern(prefix_pattern)
            if prefix_pattern and metadata.national_prefix_transform_rule is None
            else None
        )
        # Regions whose prefix handling is richer than "strip the prefix" use the full parser.
        self._fast_national = prefix_pattern is None or self._prefix_regex is not None
        self._exit_code = _StartPattern(metadata.international_prefix or "(?!)")
        self._valid = RegionValidity(metadata)
        self._cache: dict[str, PhoneReading] = {}

    def read(self, value: CellValue) -> PhoneReading:
        if type(value) is str:
            return self._read_str(value)
        if value is None or isinstance(value, bool):
            return _EMPTY_READING
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                return PhoneReading((), cell_text(value))
            value = int(value)
        if isinstance(value, int):
            return self._read_digits(str(abs(value)))
        if not isinstance(value, str):
            return PhoneReading((), cell_text(value))
        return self._read_str(value)

    def _read_str(self, value: str) -> PhoneReading:
        text = value.strip()
        if not text:
            return _EMPTY_READING
        fast = self._fast(text)
        if fast is not None:
            return _reading(((fast,), None))
        # Only what needs the full parser is kept: a plain number costs less to read again.
        cached = self._cache.get(text)
        if cached is None:
            cached = self._read_text(text[:_MAX_CELL_LENGTH])
            self._cache[text] = cached
        return cached

    def _read_digits(self, digits: str) -> PhoneReading:
        """A number typed into a numeric cell: its leading 0 or + was lost on the way."""
        cached = self._cache.get(digits)
        if cached is None:
            number = self._one(digits) or self._one("+" + digits)
            cached = PhoneReading((number,), None) if number else PhoneReading((), digits)
            self._cache[digits] = cached
        return cached

    def _read_text(self, text: str) -> PhoneReading:
        fast = self._fast(text)
        if fast is not None:
            return PhoneReading((fast,), None)
        parts = [part.strip() for part in _SPLIT_NUMBERS.split(text) if part and part.strip()]
        numbers: list[str] = []
        invalid: str | None = None
        if len(parts) > 1:
            for part in parts:
                found = self._one(part)
                if found is None:
                    invalid = invalid or part
                elif found not in numbers:
                    numbers.append(found)
            if len(numbers) > 1:
                return PhoneReading(tuple(numbers), None)
        # One number, possibly written with a separator inside ("030/1234567").
        whole = self._one(text)
        if whole is not None:
            return PhoneReading((whole,), None)
        if numbers:
            return PhoneReading(tuple(numbers), None)
        return PhoneReading((), text)

    def _one(self, text: str) -> str | None:
        """One number in E.164, or None when it cannot be dialled."""
        fast = self._fast(text)
        if fast is not None:
            return fast
        candidates = [text]
        stripped = text.lstrip()
        # "00 44 ..." is international in most of the world even where the exit code differs.
        if stripped.startswith("00"):
            candidates.append("+" + stripped[2:])
        for candidate in candidates:
            try:
                parsed = phonenumbers.parse(candidate, self.region)
            except NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                return str(phonenumbers.format_number(parsed, PhoneNumberFormat.E164))
        return None

    def _fast(self, text: str) -> str | None:
        """E.164 for a plainly written number of the default region, or None to parse fully."""
        plus = text.startswith("+")
        digits = (text[1:] if plus else text).translate(_LAYOUT_CHARACTERS)
        if not (5 <= len(digits) <= 20 and digits.isascii() and digits.isdigit()):
            return None
        prefix = self._prefix_regex
        if plus:
            code = self._country_code_text
            if not digits.startswith(code):
                return None
            national = digits[len(code) :]
            if prefix is not None and prefix.match_end(national) is not None:
                return None  # "+44 (0)..." and the like: let the parser decide
        else:
            if not self._fast_national:
                return None
            exit_code = self._exit_code
            # The parser reads a leading exit code as "international": leave those to it.
            if (
                digits.startswith(exit_code.literals)
                if exit_code.literals is not None
                else exit_code.match_end(digits) is not None
            ):
                return None
            national = digits
            if prefix is not None and (
                prefix.literals is None or digits.startswith(prefix.literals)
            ):
                end = prefix.match_end(digits)
                if end is not None:
                    if end != self._national_prefix_length:
                        return None
                    national = digits[end:]
        # Leading zeros inside the national number (Italy) need the parser's bookkeeping.
        if not national or national[0] == "0" or len(national) > 17:
            return None
        if self._valid(national):
            return self._plus_code + national
        return None
