"""Reading a suppression file: which cells hold phones, customer ids and reasons.

Such files are simple but arrive in every shape: a workbook with a "Phone" column, a CSV
export with "Customer ID;Reason", or a bare column of numbers with no header at all. This
module only reads; ``do_not_call.import_suppression_file`` decides what goes on the list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import CellValue

# Headers are compared lower-cased with everything but letters and digits removed.
PHONE_HEADERS = frozenset(
    {
        "phone",
        "phonenumber",
        "phoneno",
        "telephone",
        "telephonenumber",
        "tel",
        "telno",
        "mobile",
        "mobilenumber",
        "mobilephone",
        "cell",
        "cellphone",
        "msisdn",
        "number",
        "contactnumber",
        "telefon",
        "telefono",
        "telephone1",
        "phone1",
        "phone2",
    }
)
CUSTOMER_ID_HEADERS = frozenset(
    {
        "customerid",
        "custid",
        "customerno",
        "customernumber",
        "customerref",
        "customerreference",
        "clientid",
        "clientnumber",
        "accountid",
        "accountnumber",
        "loyaltyid",
        "loyaltynumber",
        "memberid",
        "id",
    }
)
REASON_HEADERS = frozenset({"reason", "comment", "comments", "note", "notes", "remark"})
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class SuppressionRow:
    row: int  # as the spreadsheet shows it (1-based)
    phones: tuple[str, ...]  # as written, not yet normalised
    customer_id: str | None
    reason: str | None


@dataclass(frozen=True)
class _Columns:
    phones: tuple[int, ...]
    customer_id: int | None
    reason: int | None


def cell_text(value: CellValue) -> str | None:
    """A cell as text: 7700900123.0 typed into Excel reads as "7700900123", not a float."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _header_key(value: CellValue) -> str:
    return re.sub(r"[^0-9a-z]", "", (cell_text(value) or "").lower())


def find_columns(header: Sequence[CellValue]) -> _Columns | None:
    """The phone, customer-id and reason columns of a header row; None if it is no header."""
    keys = [_header_key(cell) for cell in header]
    phones = tuple(i for i, key in enumerate(keys) if key in PHONE_HEADERS)
    ids = [i for i, key in enumerate(keys) if key in CUSTOMER_ID_HEADERS]
    reasons = [i for i, key in enumerate(keys) if key in REASON_HEADERS]
    if not phones and not ids:
        return None
    return _Columns(phones, ids[0] if ids else None, reasons[0] if reasons else None)


def _cell(row: Sequence[CellValue], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return cell_text(row[index])


def suppression_rows(
    sheet_rows: Iterable[tuple[int, Sequence[CellValue]]],
) -> Iterator[SuppressionRow]:
    """Rows of a sheet (row number, cells) -> entries to consider, blank rows skipped.

    The header is the first of the first rows that names a phone or customer-id column.
    Without one, every row's first filled cell is taken as a phone number.
    """
    rows = iter(sheet_rows)
    buffered: list[tuple[int, Sequence[CellValue]]] = []
    columns: _Columns | None = None
    for number, cells in rows:
        if all(cell_text(cell) is None for cell in cells):
            continue
        columns = find_columns(cells)
        if columns is not None:
            buffered.clear()  # title lines above the header are not entries
            break
        buffered.append((number, cells))
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        for number, cells in _chain(buffered, rows):
            if all(cell_text(cell) is None for cell in cells):
                continue
            first = next(text for cell in cells if (text := cell_text(cell)) is not None)
            yield SuppressionRow(number, (first,), None, None)
        return
    for number, cells in rows:
        phones = tuple(text for i in columns.phones if (text := _cell(cells, i)) is not None)
        customer_id = _cell(cells, columns.customer_id)
        if not phones and customer_id is None and all(cell_text(c) is None for c in cells):
            continue
        yield SuppressionRow(number, phones, customer_id, _cell(cells, columns.reason))


def _chain(
    first: list[tuple[int, Sequence[CellValue]]], rest: Iterator[tuple[int, Sequence[CellValue]]]
) -> Iterator[tuple[int, Sequence[CellValue]]]:
    yield from first
    yield from rest


def _csv_rows(path: Path) -> Iterator[tuple[int, Sequence[CellValue]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        yield number, list(cells)


def read_suppression_file(path: Path) -> Iterator[SuppressionRow]:
    """Every entry a suppression file offers."""
    if not path.is_file():
        raise UserFacingError(f"{path} does not exist: check the name and folder.")
    yield from suppression_rows(_csv_rows(path))
