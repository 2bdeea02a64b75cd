"""A sales extract's columns and rows: which column holds which sale field, and each row read.

The headers are matched the way customer lists' are (``mapping.synonym_score``: normalised
headers against synonyms in the languages retail exports use, typos forgiven), and the values
settle vague headers (a column of dates called "When" is the date). Cells are read by the
customer import's own readers: phones to E.164 for the region, amounts with either decimal
mark, stores by code, dates whose day/month order the whole column decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lastmile_desktop.importing.dates import NumericDate, parse_date_cell
from lastmile_desktop.importing.mapping import (
    CONTENT_CONFIDENCE,
    MATCH_THRESHOLD,
    SAMPLE_SIZE,
    SHOWN_SAMPLES,
    SYNONYMS,
    normalise_header,
    normalise_synonyms,
    sniff_column,
    synonym_score,
)
from lastmile_desktop.importing.model import Field
from lastmile_desktop.importing.normalize import (
    StoreRef,
    cell_text,
    clean_text,
    is_blank,
    read_money_cents,
    read_store,
)
from lastmile_desktop.importing.phones import PhoneReader
from lastmile_desktop.importing.rows import DateColumn, unique_labels
from lastmile_desktop.importing.sales_model import SalesColumnGuess, SalesField
from lastmile_desktop.spreadsheets.cells import CellValue

__all__ = ["SaleRow", "SalesRowReader", "guess_sales_mapping"]

# A bare "ID" in a sales extract is as likely the receipt line's as the customer's; a bare
# "Customer" names the customer by their number (a till does not write names).
_CUSTOMER_ID_SYNONYMS = (
    *(s for s in SYNONYMS[Field.CUSTOMER_ID] if s != "id"),
    "customer", "client", "member", "kunde", "klant", "cliente",
)  # fmt: skip

SALES_SYNONYMS: dict[SalesField, tuple[str, ...]] = {
    SalesField.CUSTOMER_ID: _CUSTOMER_ID_SYNONYMS,
    SalesField.PHONE: SYNONYMS[Field.PHONE],
    SalesField.STORE: (
        *SYNONYMS[Field.STORE], "sold at store", "store of sale", "selling store", "till store",
    ),
    SalesField.DATE: (
        "date", "sale date", "sales date", "purchase date", "date of purchase", "date of sale",
        "transaction date", "order date", "receipt date", "invoice date", "datetime",
        "date time", "timestamp", "sold at", "sold on", "purchased at", "purchased on",
        "date d achat", "date de vente", "date du ticket", "datum", "kaufdatum",
        "verkaufsdatum", "belegdatum", "fecha", "fecha de compra", "fecha de venta",
        "aankoopdatum", "verkoopdatum", "data", "data acquisto", "data vendita",
        "data da compra",
    ),
    SalesField.TIME: (
        "time", "sale time", "transaction time", "time of sale", "purchase time", "heure",
        "heure de vente", "uhrzeit", "zeit", "hora", "tijd", "tijdstip", "ora",
    ),
    SalesField.AMOUNT: (
        "amount", "total", "sale amount", "sales amount", "sales value", "sale value", "value",
        "net", "gross", "net amount", "gross amount", "total amount", "amount paid", "paid",
        "spend", "revenue", "price", "receipt total", "ticket total", "basket",
        "basket value", "turnover", "montant", "montant ttc", "total ttc", "betrag", "umsatz",
        "summe", "gesamtbetrag", "importe", "total venta", "bedrag", "totaal", "importo",
        "totale", "valor", "valor total",
    ),
    SalesField.RECEIPT_ID: (
        "receipt", "receipt id", "receipt number", "receipt ref", "transaction id",
        "transaction number", "transaction ref", "transaction", "ticket", "ticket number",
        "ticket id", "invoice", "invoice number", "order id", "order number", "sale id",
        "sale number", "bon", "bonnummer", "beleg", "belegnummer", "kassenbon",
        "numero de ticket", "ticket de caisse", "numero de facture", "recibo",
        "numero de recibo", "numero de factura", "kassabon", "scontrino", "numero scontrino",
    ),
    SalesField.LINE_ID: (
        "line", "line id", "line number", "item line", "receipt line", "line item",
        "position", "row id", "zeile", "positionsnummer", "belegzeile", "ligne",
        "numero de ligne", "linea", "numero de linea", "regel", "regelnummer", "riga",
    ),
}  # fmt: skip

_NORMALISED = {field: normalise_synonyms(words) for field, words in SALES_SYNONYMS.items()}
ID_MAX_LENGTH = 64
_TIME_TEXT = re.compile(
    r"(?:^|[\sT])(\d{1,2})[:.h](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*([ap]\.?m\.?)?\s*$",
    re.IGNORECASE,
)


def _looks_like_time(value: CellValue) -> bool:
    if isinstance(value, time):
        return True
    return isinstance(value, str) and _time_of(value) is not None


def _content_support(field: SalesField, values: Sequence[CellValue], phones: PhoneReader) -> float:
    """Evidence from the values: 1 fits, 0 says nothing, -1 contradicts."""
    content = sniff_column(values, phones)
    if content.filled == 0:
        return 0.0
    share = {
        SalesField.PHONE: content.phones,
        SalesField.DATE: content.dates,
        SalesField.AMOUNT: content.numbers,
    }.get(field)
    if field is SalesField.TIME:
        filled = [value for value in values if not is_blank(value)][:SAMPLE_SIZE]
        share = sum(_looks_like_time(value) for value in filled) / len(filled)
    if share is None:
        return 0.0
    if share >= 0.8:
        return 1.0
    return -1.0 if share <= 0.2 else 0.0


def guess_sales_mapping(
    headers: Sequence[str], columns: Sequence[Sequence[CellValue]], region: str
) -> list[SalesColumnGuess]:
    """One guess per header: the field (None: the column is not read) and how sure.

    Each field goes to at most one column, the strongest header-field pairs first.
    """
    phones = PhoneReader(region)
    candidates: list[tuple[float, int, SalesField]] = []
    for column, header in enumerate(headers):
        normalised = normalise_header(header)
        values = columns[column] if column < len(columns) else []
        for field in SalesField:
            score = synonym_score(normalised, _NORMALISED[field])
            support = _content_support(field, values, phones)
            # As for customer lists: values that fit lift a vague header, others lower it.
            if support > 0:
                score = max(score + 0.05, CONTENT_CONFIDENCE)
            elif support < 0:
                score *= 0.75
            if score >= MATCH_THRESHOLD:
                candidates.append((score, column, field))
    order = {field: index for index, field in enumerate(SalesField)}
    candidates.sort(key=lambda item: (-item[0], item[1], order[item[2]]))
    chosen: dict[int, tuple[SalesField, float]] = {}
    taken: set[SalesField] = set()
    for score, column, field in candidates:
        if column not in chosen and field not in taken:
            chosen[column] = (field, score)
            taken.add(field)
    guesses = []
    for column, header in enumerate(headers):
        values = columns[column] if column < len(columns) else []
        samples = [cell_text(value) for value in values if not is_blank(value)][:SHOWN_SAMPLES]
        found = chosen.get(column)
        if found is None:
            guesses.append(SalesColumnGuess(column, header, None, 1.0, samples))
        else:
            field, score = found
            guesses.append(
                SalesColumnGuess(column, header, field, round(min(score, 1.0), 2), samples)
            )
    return guesses


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class SaleRow:
    """One row of the extract as read; the date may still wait for the column's day order."""

    row: int
    customer_id: str | None
    phones: tuple[str, ...]  # valid numbers in E.164
    phone_written: str | None  # the phone cell as written, for "what was tried"
    store: StoreRef | None
    day: date | NumericDate | None
    date_written: str | None  # the date cell as written, for the rejected row's reason
    at: time | None  # the time of day, when the extract gives one
    amount_cents: int | None
    amount_written: str | None
    receipt_id: str | None
    line_id: str | None


def _time_of(text: str) -> time | None:
    match = _TIME_TEXT.search(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _fraction_time(fraction: float) -> time | None:
    """The time of day an Excel serial's fraction gives (0.5 is noon); None for midnight."""
    seconds = round(fraction * 86_400)
    if seconds <= 0 or seconds >= 86_400:
        return None
    return (datetime.min + timedelta(seconds=seconds)).time()


def read_sale_moment(value: CellValue) -> tuple[date | NumericDate | None, time | None]:
    """A date cell, a date-and-time cell, an Excel serial or text: (the day, the time or None).

    A cell at exactly midnight is a date written as a date cell: its time is unknown.
    """
    if isinstance(value, datetime):
        at_midnight = value.time() == time(0, 0)
        return value.date(), None if at_midnight else value.time().replace(microsecond=0)
    if isinstance(value, float) and not value.is_integer():
        day = parse_date_cell(value)
        return day, _fraction_time(value % 1) if day is not None else None
    day = parse_date_cell(value)
    if day is None or not isinstance(value, str):
        return day, None
    return day, _time_of(value)


def read_time_cell(value: CellValue) -> time | None:
    if isinstance(value, time):
        return None if value == time(0, 0) else value.replace(microsecond=0)
    if isinstance(value, datetime):
        return None if value.time() == time(0, 0) else value.time().replace(microsecond=0)
    if isinstance(value, float) and 0 < value < 1:
        return _fraction_time(value)
    if isinstance(value, str):
        return _time_of(value)
    return None


def _id_text(value: CellValue) -> str | None:
    """An id as written: 12.0 (a number cell) is "12"; longer than 64 characters is cut."""
    text = clean_text(value)
    return None if text is None else text[:ID_MAX_LENGTH]


class SalesRowReader:
    """Reads the rows of one sheet with one mapping, for one default region."""

    def __init__(
        self, headers: Sequence[str], mapping: dict[int, SalesField | None], region: str
    ) -> None:
        self.labels = unique_labels(headers)
        self.phones = PhoneReader(region)
        self.columns: dict[SalesField, int] = {}
        for column, field in sorted(mapping.items()):
            if field is not None and field not in self.columns and column < len(self.labels):
                self.columns[field] = column
        date_column = self.columns.get(SalesField.DATE)
        self.dates = DateColumn(self.labels[date_column] if date_column is not None else "")
        self._stores: dict[CellValue, StoreRef | None] = {}

    def missing_fields(self) -> list[str]:
        """What a sales extract cannot do without, as the sentence to show."""
        missing = []
        if SalesField.DATE not in self.columns:
            missing.append("no column is mapped to Date")
        if SalesField.AMOUNT not in self.columns:
            missing.append("no column is mapped to Amount")
        if SalesField.CUSTOMER_ID not in self.columns and SalesField.PHONE not in self.columns:
            missing.append("no column is mapped to Customer id or Phone, so no sale can be matched")
        return missing

    def _cell(self, values: Sequence[CellValue], field: SalesField) -> CellValue:
        column = self.columns.get(field)
        return values[column] if column is not None and column < len(values) else None

    def _store(self, value: CellValue) -> StoreRef | None:
        try:
            store = self._stores[value]
        except KeyError:
            store = self._stores[value] = read_store(value)
        except TypeError:
            store = read_store(value)
        return store

    def read(self, row: int, values: Sequence[CellValue]) -> SaleRow:
        phone_cell = self._cell(values, SalesField.PHONE)
        reading = self.phones.read(phone_cell)
        date_cell = self._cell(values, SalesField.DATE)
        day, moment = read_sale_moment(date_cell)
        if isinstance(day, NumericDate):
            self.dates.observe(day, date_cell)
        if SalesField.TIME in self.columns:
            # A time column of its own wins over a time written in the date cell.
            moment = read_time_cell(self._cell(values, SalesField.TIME)) or moment
        amount_cell = self._cell(values, SalesField.AMOUNT)
        return SaleRow(
            row=row,
            customer_id=_id_text(self._cell(values, SalesField.CUSTOMER_ID)),
            phones=reading.numbers,
            phone_written=None if is_blank(phone_cell) else cell_text(phone_cell),
            store=self._store(self._cell(values, SalesField.STORE)),
            day=day,
            date_written=None if is_blank(date_cell) else cell_text(date_cell),
            at=moment,
            amount_cents=read_money_cents(amount_cell),
            amount_written=None if is_blank(amount_cell) else cell_text(amount_cell),
            receipt_id=_id_text(self._cell(values, SalesField.RECEIPT_ID)),
            line_id=_id_text(self._cell(values, SalesField.LINE_ID)),
        )
