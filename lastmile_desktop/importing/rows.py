"""One spreadsheet row to one clean customer record, by the column mapping.

``RowReader.read`` is called once per row of a list that can hold 500,000 rows, so it does
the least work it can: the mapping is resolved to column positions once, and each field is
read by a single normaliser call. Text dates whose day/month order is still open are kept as
``NumericDate`` until the whole column has been seen (see ``DateColumn``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from lastmile_desktop.importing.model import CellValue, DateOrder, Field
from lastmile_desktop.importing.normalize import (
    DateOrderDecision,
    DateOrderEvidence,
    NumericDate,
    PhoneReader,
    StoreRef,
    cell_text,
    clean_text,
    decide_date_order,
    is_blank,
    parse_date_cell,
    read_count,
    read_money_cents,
    read_store,
    split_full_name,
)

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
CUSTOMER_ID_MAX_LENGTH = 64
SHOWN_PHONE_LENGTH = 40
NO_PHONE = "no phone number that can be dialled"
INVALID_PHONE_SAMPLES = 50
MONEY_LIMIT = 1e13  # as read_money_cents: amounts a database integer holds in cents
COUNT_LIMIT = 2**31
# Where head-office lists come from, tried when most numbers fail in the chosen region.
LIKELY_REGIONS = (
    "GB", "IE", "FR", "DE", "NL", "BE", "ES", "IT", "PT", "CH", "AT", "LU", "DK", "SE", "NO",
    "FI", "PL", "CZ", "US", "CA", "AU", "NZ", "ZA", "IN",
)  # fmt: skip
SHOWN_REGIONS = 5


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

    @property
    def phones(self) -> list[str | None]:
        return [self.phone, self.phone_alt]


@dataclass(frozen=True)
class RowRejection:
    row: int
    reason: str


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


class DateColumn:
    """Collects what a date column's text says about day/month order, then resolves it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.evidence = DateOrderEvidence()

    def observe(self, parsed: NumericDate, written: CellValue) -> None:
        self.evidence.observe(parsed, cell_text(written))

    def decide(self, chosen: DateOrder | None, region: str) -> DateOrderDecision:
        return decide_date_order(self.evidence, chosen, region, self.label)


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
        # A list names a few dozen stores in 100,000 rows: each spelling is read once.
        self._stores: dict[CellValue, StoreRef | None] = {}
        # Every column mapped to a phone is read, main phones first, so none is lost.
        self._phone_columns = [
            column
            for wanted in (Field.PHONE, Field.PHONE_ALT)
            for column, field in sorted(mapping.items())
            if field is wanted and column < len(self.labels)
        ]
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
        """One row; called for every row of the list, so written for speed."""
        if len(values) <= self._last_column:
            values = [*values, *([None] * (self._last_column + 1 - len(values)))]

        read_phone = self.phones.read
        phone_columns = self._phone_columns
        if len(phone_columns) == 1:
            numbers, invalid = read_phone(values[phone_columns[0]])
        else:
            found: list[str] = []
            invalid = None
            for phone_column in phone_columns:
                reading = read_phone(values[phone_column])
                found.extend(number for number in reading.numbers if number not in found)
                invalid = invalid or reading.invalid
            numbers = tuple(found)
        if not numbers:
            return self._rejection(row, invalid)

        column: int | None = self._id_column
        external_id = None if column is None else clean_text(values[column])
        if external_id is not None and len(external_id) > CUSTOMER_ID_MAX_LENGTH:
            return RowRejection(
                row, f"customer id is longer than {CUSTOMER_ID_MAX_LENGTH} characters"
            )

        first_name = last_name = None
        column = self._full_name_column
        if column is not None:
            first_name, last_name = split_full_name(values[column])
        column = self._first_name_column
        if column is not None:
            first_name = clean_text(values[column]) or first_name
        column = self._last_name_column
        if column is not None:
            last_name = clean_text(values[column]) or last_name
        if first_name is not None and len(first_name) > NAME_MAX_LENGTH:
            first_name = first_name[:NAME_MAX_LENGTH]
        if last_name is not None and len(last_name) > NAME_MAX_LENGTH:
            last_name = last_name[:NAME_MAX_LENGTH]

        column = self._email_column
        email = None if column is None else clean_text(values[column])
        if email is not None:
            email = email.replace(" ", "") if len(email) <= EMAIL_MAX_LENGTH else None

        column = self._store_column
        store = None
        if column is not None:
            value = values[column]
            try:
                store = self._stores[value]
            except KeyError:
                store = self._stores[value] = read_store(value)
            except TypeError:  # an unhashable cell cannot happen, but never stop an import
                store = read_store(value)

        column = self._notes_column
        return CustomerRow(
            row,
            external_id,
            first_name,
            last_name,
            numbers[0],
            numbers[1] if len(numbers) > 1 else None,
            email,
            store,
            None if self._date_column is None else self._date(row, values),
            None if self._spend_column is None else self._spend(row, values[self._spend_column]),
            None if self._visits_column is None else self._visits(row, values[self._visits_column]),
            None if column is None else clean_text(values[column]),
            self._extras(values) if self._extra else None,
        )

    def _rejection(self, row: int, invalid: str | None) -> RowRejection:
        if invalid is None:
            return RowRejection(row, NO_PHONE)
        self.invalid_phone_rows += 1
        if len(self.invalid_phones) < INVALID_PHONE_SAMPLES:
            self.invalid_phones.append(invalid)
        shown = invalid if len(invalid) <= SHOWN_PHONE_LENGTH else invalid[:37] + "..."
        return RowRejection(row, f"phone number {shown} is not a valid {self.region} number")

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

    def _date(self, row: int, values: Sequence[CellValue]) -> date | NumericDate | None:
        value = values[self._date_column]  # type: ignore[index]
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

    def region_hint(self, rows_read: int) -> str | None:
        """A note when most rows were rejected for numbers that another country would dial."""
        samples = self.invalid_phones
        if len(samples) < 3 or self.invalid_phone_rows * 2 < rows_read:
            return None
        fitting = [
            region
            for region in LIKELY_REGIONS
            if region != self.region
            and sum(1 for text in samples if PhoneReader(region).read(text).numbers) * 5
            >= len(samples) * 4
        ]
        if not fitting:
            return None
        shown = fitting[:SHOWN_REGIONS]
        where = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
        return (
            f"Most phone numbers are not valid {self.region} numbers, but they would be valid "
            f"in {where}. If the list is from another country, import it again with that "
            f"country as the region (--region {shown[0]} on the command line, for example)."
        )


def _cut(text: str | None, length: int) -> str | None:
    return text if text is None or len(text) <= length else text[:length]
