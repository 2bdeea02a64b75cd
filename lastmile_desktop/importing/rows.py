"""One spreadsheet row to one clean customer record, by the column mapping.

``RowReader.read`` is called once per row of a list that can hold 500,000 rows, so it does
the least work it can: the mapping is resolved to column positions once, and each field is
read by a single normaliser call. Text dates whose day/month order is still open are kept as
``NumericDate`` until the whole column has been seen (see ``DateColumn``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.dates import (
    DateOrderDecision,
    DateOrderEvidence,
    NumericDate,
    decide_date_order,
    parse_date_cell,
)
from lastmile_desktop.importing.model import Field
from lastmile_desktop.importing.normalize import (
    StoreRef,
    cell_text,
    clean_text,
    is_blank,
    read_count,
    read_money_cents,
    read_store,
    split_full_name,
)
from lastmile_desktop.importing.phones import PhoneReader, PhoneReading, count_national
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.storage.defaults import (
    CUSTOMER_ID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
)

# A rejected row's reason quotes the value that was wrong, at most this many characters of it.
QUOTED_VALUE_LENGTH = 80
NO_PHONE = "no phone number that can be dialled"
INVALID_PHONE_SAMPLES = 50
MONEY_LIMIT = 1e13  # as read_money_cents: amounts a database integer holds in cents
COUNT_LIMIT = 2**31


class CustomerRow(NamedTuple):
    """A row that passed the rules' first test: it has a number that can be dialled.

    A named tuple: made once per row of lists of 500,000 rows, it costs half a dataclass.
    """

    row: int
    external_id: str | None
    first_name: str | None
    last_name: str | None
    phone: str
    phone_alt: str | None
    email: str | None
    store: StoreRef | None
    last_purchase: date | NumericDate | None
    spend_cents: int | None
    visits: int | None
    notes: str | None
    extra: dict[str, str] | None


# Makes a CustomerRow from a tuple in field order without the named tuple's Python __new__.
_customer_row: Callable[[tuple[object, ...]], CustomerRow] = functools.partial(
    tuple.__new__, CustomerRow
)


@dataclass(frozen=True)
class RowRejection:
    row: int
    reason: str
    # Who the row is about, as far as it says, so a forgotten person's row can be told apart
    # (and kept nowhere) even when it cannot be imported.
    external_id: str | None = None
    phones: tuple[str, ...] = ()


@dataclass
class UnreadableValues:
    """Cells of one field that held something the field could not be read from."""

    label: str
    kind: str  # "amounts", "counts", "dates"
    rows: list[int]

    def note(self) -> str:
        shown = ", ".join(str(row) for row in self.rows[:5])
        more = ", ..." if len(self.rows) > 5 else ""
        return (
            f'{len(self.rows)} value(s) in "{self.label}" could not be read as {self.kind} and '
            f"were left empty (row {shown}{more})."
        )


def unique_labels(headers: Sequence[str]) -> list[str]:
    """Header texts usable as keys: blanks become "Column 3", repeats get " (2)"."""
    labels: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(headers):
        label = header.strip() or f"Column {position + 1}"
        candidate, copy = label, 2
        while candidate in seen:
            candidate, copy = f"{label} ({copy})", copy + 1
        seen.add(candidate)
        labels.append(candidate)
    return labels


def phone_columns(mapping: dict[int, Field | None], width: int) -> list[int]:
    """Every column mapped to a phone, main phones first: each is read, so none is lost."""
    return [
        column
        for wanted in (Field.PHONE, Field.PHONE_ALT)
        for column, field in sorted(mapping.items())
        if field is wanted and column < width
    ]


class DateColumn:
    """Collects what a date column's text says about day/month order, then resolves it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.evidence = DateOrderEvidence()

    def observe(self, parsed: NumericDate, written: CellValue) -> None:
        self.evidence.observe(parsed, cell_text(written))

    def decide(
        self, chosen: DateOrder | None, region: str, setting: DateOrder | None = None
    ) -> DateOrderDecision:
        return decide_date_order(self.evidence, chosen, region, self.label, setting)


class RowReader:
    """Reads rows of one sheet with one mapping, for one default region."""

    def __init__(
        self, headers: Sequence[str], mapping: dict[int, Field | None], region: str
    ) -> None:
        self.labels = unique_labels(headers)
        self.region = region.upper()
        self.phones = PhoneReader(region)
        columns: dict[Field, int] = {}
        for column, field in sorted(mapping.items()):
            if field is not None and field not in columns and column < len(self.labels):
                columns[field] = column
        self._columns = columns
        self._id_column = columns.get(Field.CUSTOMER_ID)
        self._full_name_column = columns.get(Field.FULL_NAME)
        self._first_name_column = columns.get(Field.FIRST_NAME)
        self._last_name_column = columns.get(Field.LAST_NAME)
        self._email_column = columns.get(Field.EMAIL)
        self._store_column = columns.get(Field.STORE)
        self._date_column = columns.get(Field.LAST_PURCHASE_DATE)
        self._notes_column = columns.get(Field.NOTES)
        self._spend_column = columns.get(Field.LIFETIME_SPEND)
        self._visits_column = columns.get(Field.VISITS)
        # Numbers rejected as invalid, as written: a hint when the region is the wrong one.
        self.invalid_phones: list[str] = []
        self.invalid_phone_rows = 0
        # Numbers written without a country code, and how many of them the region made valid.
        self.national_numbers = 0
        self.valid_national_numbers = 0
        # A list names a few dozen stores in 100,000 rows: each spelling is read once.
        self._stores: dict[CellValue, StoreRef | None] = {}
        self._phone_columns = phone_columns(mapping, len(self.labels))
        read_columns = set(columns.values()) | set(self._phone_columns)
        # Unmapped columns, and a second column mapped to a field already taken, are kept.
        self._extra = [
            (column, label)
            for column, label in enumerate(self.labels)
            if column not in read_columns
        ]
        self._last_column = max([*read_columns, *(c for c, _ in self._extra), -1])
        date_column = columns.get(Field.LAST_PURCHASE_DATE)
        self.dates = DateColumn(self.labels[date_column] if date_column is not None else "")
        self.unreadable = {
            Field.LIFETIME_SPEND: UnreadableValues(
                self._label(Field.LIFETIME_SPEND), "amounts", []
            ),
            Field.VISITS: UnreadableValues(self._label(Field.VISITS), "counts", []),
            Field.LAST_PURCHASE_DATE: UnreadableValues(
                self._label(Field.LAST_PURCHASE_DATE), "dates", []
            ),
        }

    @property
    def has_phone_column(self) -> bool:
        return bool(self._phone_columns)

    def _label(self, field: Field) -> str:
        column = self._columns.get(field)
        return self.labels[column] if column is not None else field.label

    def original_values(self, values: Sequence[CellValue]) -> dict[str, str]:
        """The row as the file had it, header -> text, for the rejected-rows list."""
        return {
            label: cell_text(values[column])
            for column, label in enumerate(self.labels)
            if column < len(values) and not is_blank(values[column])
        }

    def read(self, row: int, values: Sequence[CellValue]) -> CustomerRow | RowRejection:
        """One row (see ``read_many``)."""
        return self.read_many([(row, values)])[0]

    def read_many(
        self, records: Sequence[tuple[int, Sequence[CellValue]]]
    ) -> list[CustomerRow | RowRejection]:
        """Rows in file order, each a customer or a rejection.

        Called for every row of lists of 500,000 rows, so the work goes column by column:
        one comprehension per field over a block of rows, then one pass putting rows together.
        """
        if not records:
            return []
        width = self._last_column + 1
        rows = [values for _, values in records]
        if any(len(values) != width for values in rows):
            rows = [[*values[:width], *([None] * (width - len(values)))] for values in rows]
        columns = list(zip(*rows, strict=True))
        numbers = [number for number, _ in records]
        nothing: Sequence[None] = [None] * len(records)

        def each(column: int | None, read: Callable[[CellValue], object]) -> Sequence[object]:
            return nothing if column is None else [read(value) for value in columns[column]]

        first_names = each(self._first_name_column, _name)
        last_names = each(self._last_name_column, _name)
        if self._full_name_column is not None:
            split = [split_full_name(value) for value in columns[self._full_name_column]]
            first_names = [
                given or _cut(first, NAME_MAX_LENGTH)
                for given, (first, _) in zip(first_names, split, strict=True)
            ]
            last_names = [
                given or _cut(last, NAME_MAX_LENGTH)
                for given, (_, last) in zip(last_names, split, strict=True)
            ]
        fields = zip(
            numbers,
            self._phones(columns, len(records)),
            each(self._id_column, clean_text),
            first_names,
            last_names,
            # From here on in CustomerRow's order.
            each(self._email_column, _email),
            nothing if self._store_column is None else self._stores_of(columns[self._store_column]),
            self._dates_of(numbers, columns, nothing),
            self._spends_of(numbers, columns, nothing),
            self._visits_of(numbers, columns, nothing),
            each(self._notes_column, clean_text),
            [self._extras(values) for values in rows] if self._extra else nothing,
            strict=True,
        )
        results: list[CustomerRow | RowRejection] = []
        append = results.append
        for values in fields:
            row, (found, invalid), external_id = values[0], values[1], values[2]
            if not found:
                append(self._rejection(row, invalid, external_id))
            elif external_id is not None and len(external_id) > CUSTOMER_ID_MAX_LENGTH:
                message = (
                    f"customer id {quoted(external_id)} is longer than "
                    f"{CUSTOMER_ID_MAX_LENGTH} characters"
                )
                append(RowRejection(row, message, external_id, found))
            else:
                alternative = found[1] if len(found) > 1 else None
                append(
                    _customer_row(
                        (row, external_id, values[3], values[4], found[0], alternative, *values[5:])
                    )
                )
        return results

    def _phones(self, columns: list[tuple[CellValue, ...]], count: int) -> list[PhoneReading]:
        """Each row's numbers from every phone column, main phones first, none repeated."""
        read_phone = self.phones.read
        phone_columns = self._phone_columns
        if not phone_columns:
            return [PhoneReading((), None)] * count
        readings = [list(map(read_phone, columns[column])) for column in phone_columns]
        for column, column_readings in zip(phone_columns, readings, strict=True):
            self._count_national(columns[column], column_readings)
        if len(readings) == 1:
            return readings[0]
        merged = []
        for row_readings in zip(*readings, strict=True):
            found: list[str] = []
            invalid = None
            for reading in row_readings:
                found.extend(number for number in reading.numbers if number not in found)
                invalid = invalid or reading.invalid
            merged.append(PhoneReading(tuple(found), invalid))
        return merged

    def _count_national(self, values: Sequence[CellValue], readings: list[PhoneReading]) -> None:
        national, valid = count_national(values, readings)
        self.national_numbers += national
        self.valid_national_numbers += valid

    # The three below take the common cell (a date cell, a number) inline and hand anything
    # else to the reader that also notes what could not be read.

    def _dates_of(
        self, numbers: list[int], columns: list[tuple[CellValue, ...]], nothing: Sequence[None]
    ) -> Sequence[date | NumericDate | None]:
        if self._date_column is None:
            return nothing
        read = self._date
        return [
            value.date() if type(value) is datetime else read(number, value)
            for number, value in zip(numbers, columns[self._date_column], strict=True)
        ]

    def _spends_of(
        self, numbers: list[int], columns: list[tuple[CellValue, ...]], nothing: Sequence[None]
    ) -> Sequence[int | None]:
        if self._spend_column is None:
            return nothing
        read = self._spend
        return [
            round(value * 100)
            if (type(value) is float or type(value) is int) and -MONEY_LIMIT < value < MONEY_LIMIT
            else read(number, value)
            for number, value in zip(numbers, columns[self._spend_column], strict=True)
        ]

    def _visits_of(
        self, numbers: list[int], columns: list[tuple[CellValue, ...]], nothing: Sequence[None]
    ) -> Sequence[int | None]:
        if self._visits_column is None:
            return nothing
        read = self._visits
        return [
            value if type(value) is int and 0 <= value < COUNT_LIMIT else read(number, value)
            for number, value in zip(numbers, columns[self._visits_column], strict=True)
        ]

    def _stores_of(self, values: Sequence[CellValue]) -> list[StoreRef | None]:
        known = self._stores
        result = []
        for value in values:
            try:
                store = known[value]
            except KeyError:
                store = known[value] = read_store(value)
            except TypeError:  # an unhashable cell cannot happen, but never stop an import
                store = read_store(value)
            result.append(store)
        return result

    def _rejection(self, row: int, invalid: str | None, external_id: str | None) -> RowRejection:
        if invalid is None:
            return RowRejection(row, NO_PHONE, external_id)
        self.invalid_phone_rows += 1
        if len(self.invalid_phones) < INVALID_PHONE_SAMPLES:
            self.invalid_phones.append(invalid)
        if not any(character.isdigit() for character in invalid):
            return RowRejection(row, f"phone {quoted(invalid)} is not a number", external_id)
        reason = f"phone {quoted(invalid)} is not a valid {self.region} number"
        return RowRejection(row, reason, external_id)

    def _spend(self, row: int, value: CellValue) -> int | None:
        # NaN and infinities fail the range test too.
        if (type(value) is float or type(value) is int) and -MONEY_LIMIT < value < MONEY_LIMIT:
            return round(value * 100)
        if is_blank(value):
            return None
        cents = read_money_cents(value)
        if cents is None:
            self.unreadable[Field.LIFETIME_SPEND].rows.append(row)
        return cents

    def _visits(self, row: int, value: CellValue) -> int | None:
        if type(value) is int and 0 <= value < COUNT_LIMIT:
            return value
        if is_blank(value):
            return None
        count = read_count(value)
        if count is None:
            self.unreadable[Field.VISITS].rows.append(row)
        return count

    def _date(self, row: int, value: CellValue) -> date | NumericDate | None:
        if type(value) is datetime:
            return value.date()
        if is_blank(value):
            return None
        parsed = parse_date_cell(value)
        if parsed is None:
            self.unreadable[Field.LAST_PURCHASE_DATE].rows.append(row)
        elif isinstance(parsed, NumericDate):
            self.dates.observe(parsed, value)
        return parsed

    def _extras(self, values: Sequence[CellValue]) -> dict[str, str] | None:
        extra = {
            label: cell_text(values[column])
            for column, label in self._extra
            if not is_blank(values[column])
        }
        return extra or None

    def notes(self) -> list[str]:
        return [values.note() for values in self.unreadable.values() if values.rows]

    def invalid_phone_samples(self, rows_read: int) -> list[str]:
        """Numbers rejected as invalid, as written, when they are most of the list (else none):
        the clue that the list is from another country."""
        samples = self.invalid_phones
        if len(samples) < 3 or self.invalid_phone_rows * 2 < rows_read:
            return []
        return samples


def quoted(value: str) -> str:
    """A cell's text as a rejection quotes it: on one line, cut at ``QUOTED_VALUE_LENGTH``."""
    text = " ".join(value.split())
    if len(text) > QUOTED_VALUE_LENGTH:
        text = text[: QUOTED_VALUE_LENGTH - 1].rstrip() + "…"
    return f'"{text}"'


def _cut(text: str | None, length: int) -> str | None:
    return text if text is None or len(text) <= length else text[:length]


def _name(value: CellValue) -> str | None:
    text = clean_text(value)
    return text if text is None or len(text) <= NAME_MAX_LENGTH else text[:NAME_MAX_LENGTH]


def _email(value: CellValue) -> str | None:
    email = clean_text(value)
    return None if email is None or len(email) > EMAIL_MAX_LENGTH else email.replace(" ", "")
