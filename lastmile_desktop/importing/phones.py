"""Phone cells to E.164, validated by ``phonenumbers`` for a default region."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers.phonemetadata import PhoneMetadata

from lastmile_desktop.importing.normalize import cell_text
from lastmile_desktop.spreadsheets.cells import CellValue

_SPLIT_NUMBERS = re.compile(r"\s*(?:[;,|\n/]|&|\band\b|\bor\b|\bou\b|\boder\b|\bo\b)\s*", re.I)
# What people put between digits: spaces (also no-break), dashes, dots, brackets.
_LAYOUT_CHARACTERS = str.maketrans("", "", " -.()\u00a0\u202f")
_MAX_CELL_LENGTH = 200
# How a number written with its country code starts: "+44 ..." or "0044 ...".
_WRITTEN_WITH_COUNTRY_CODE = ("+", "00")


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


@functools.cache
def region_validity(region: str) -> RegionValidity:
    """The compiled rule of one region, built once per process (a millisecond each)."""
    metadata = PhoneMetadata.metadata_for_region(region.upper())
    if metadata is None:
        raise ValueError(f"unknown region {region!r}")
    return RegionValidity(metadata)


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
        self._valid = region_validity(self.region)
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


def national_digits(value: CellValue) -> str | None:
    """The digits of a number written without a country code; None for anything else.

    "07911 123456" and a number cell 7911123456 are such numbers; "+44 7911 123456",
    "0044 7911 123456", blanks and text are not. One definition for the import's count of
    "numbers written without a country code" and for working out the region from them.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        digits = str(abs(value))
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        digits = str(abs(int(value)))
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("+"):
            return None
        digits = text.translate(_LAYOUT_CHARACTERS)
        if digits.startswith("00") or not (digits.isascii() and digits.isdigit()):
            return None
    else:
        return None
    return digits if 5 <= len(digits) <= 17 else None


def count_national(
    values: Sequence[CellValue], readings: Sequence[PhoneReading]
) -> tuple[int, int]:
    """(numbers written without a country code, how many of them were valid) in one column.

    Called on every block of an import, so it leans on the readings already made: a cell
    that gave a number was written without a country code unless it starts with + or 00; a
    cell that gave none counts when it is shaped like a national number (``national_digits``).
    """
    national = valid = 0
    for value, reading in zip(values, readings, strict=True):
        if reading[0]:
            if type(value) is str and value.lstrip().startswith(_WRITTEN_WITH_COUNTRY_CODE):
                continue
            national += 1
            valid += 1
        elif reading[1] is not None and national_digits(value) is not None:
            national += 1
    return national, valid


def country_code_written(value: CellValue) -> int | None:
    """The country calling code of a number written with one ("+44 ...", "0044 ..."), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("+"):
        digits = text[1:].translate(_LAYOUT_CHARACTERS)
    elif text.startswith("00"):
        digits = text[2:].translate(_LAYOUT_CHARACTERS)
    else:
        return None
    if not (digits.isascii() and digits.isdigit()):
        return None
    for length in (1, 2, 3):
        code = int(digits[:length] or 0)
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code
    return None


class NationalNumberCheck:
    """Whether digits written without a country code are a valid number of one region.

    Working out a list's region tries a few regions on a few hundred numbers: this is the
    region's national prefix and validity rule applied to bare digits, a regular expression
    or two per number instead of ``phonenumbers.parse`` (which regions that rewrite their
    national prefix still need). As with ``phonenumbers.is_valid_number``, a number of a
    region sharing the country code counts too: 07911 123456 is a Guernsey mobile, and a
    valid number to dial from anywhere in the UK.
    """

    def __init__(self, region: str) -> None:
        self.region = region.upper()
        metadata = PhoneMetadata.metadata_for_region(self.region)
        if metadata is None:
            raise ValueError(f"unknown region {region!r}")
        sharing = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code or 0, ())
        self._valid = [region_validity(self.region)] + [
            region_validity(other) for other in sharing if other != self.region
        ]
        prefix = metadata.national_prefix_for_parsing
        self._prefix = _StartPattern(prefix) if prefix else None
        self._needs_parser = metadata.national_prefix_transform_rule is not None

    def __call__(self, digits: str) -> bool:
        if self._needs_parser:
            try:
                parsed = phonenumbers.parse(digits, self.region)
            except NumberParseException:
                return False
            return bool(phonenumbers.is_valid_number(parsed))
        national = digits
        prefix = self._prefix
        if prefix is not None:
            end = prefix.match_end(digits)
            if end is not None and end < len(digits):
                national = digits[end:]
        return any(valid(national) for valid in self._valid) or (
            national != digits and any(valid(digits) for valid in self._valid)
        )


@functools.cache
def national_number_check(region: str) -> NationalNumberCheck:
    return NationalNumberCheck(region)
