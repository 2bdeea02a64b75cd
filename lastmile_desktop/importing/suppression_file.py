"""Reading a suppression file: which cells hold phones, customer ids and reasons.

Such files are simple but arrive in every shape: a workbook with a "Phone" column, a CSV
export with "Customer ID;Reason", or a bare column of numbers with no header at all. This
module only reads; ``suppression_list.import_suppression_file`` decides what goes on the list.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.layout import (
    SheetLayout,
    detect_layout,
    is_blank_row,
    iter_records,
)
from lastmile_desktop.spreadsheets.layout import cell_text as layout_cell_text
from lastmile_desktop.spreadsheets.readers import open_source
from lastmile_desktop.spreadsheets.table_source import TableSource

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
    """A cell as text, None when empty (the readers give whole numbers as int already)."""
    return layout_cell_text(value) or None


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
        if is_blank_row(cells):
            continue
        columns = find_columns(cells)
        if columns is not None:
            buffered.clear()  # title lines above the header are not entries
            break
        buffered.append((number, cells))
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        for number, cells in itertools.chain(buffered, rows):
            if is_blank_row(cells):
                continue
            first = next(text for cell in cells if (text := cell_text(cell)) is not None)
            yield SuppressionRow(number, (first,), None, None)
        return
    yield from _rows_under(rows, columns)


def _rows_under(
    rows: Iterator[tuple[int, Sequence[CellValue]]], columns: _Columns
) -> Iterator[SuppressionRow]:
    for number, cells in rows:
        if is_blank_row(cells):
            continue
        phones = tuple(text for i in columns.phones if (text := _cell(cells, i)) is not None)
        customer_id = _cell(cells, columns.customer_id)
        yield SuppressionRow(number, phones, customer_id, _cell(cells, columns.reason))


def _sheets_in_order(source: TableSource) -> list[str]:
    ordered = sorted(source.sheets(), key=lambda sheet: (not sheet.visible, sheet.index))
    return [sheet.name for sheet in ordered]


def _sheet_with_header(source: TableSource) -> str | None:
    """The first sheet with a phone or customer-id header near its top."""
    for sheet in _sheets_in_order(source):
        top = itertools.islice(source.rows(sheet), HEADER_SEARCH_ROWS)
        if any(find_columns(row) is not None for row in top):
            return sheet
    return None


def _first_filled_sheet(source: TableSource) -> str | None:
    for sheet in _sheets_in_order(source):
        if any(not is_blank_row(row) for row in source.rows(sheet)):
            return sheet
    return None


def read_suppression_file(path: Path) -> Iterator[SuppressionRow]:
    """Every entry a suppression file (CSV or any spreadsheet the importer reads) offers.

    The import's layout detection finds the sheet and the header below any title rows. When
    it finds no table, or a header naming no phone or customer-id column (in a bare list of
    numbers the first number looks like a header), the sheets are searched for such a header
    near their top; failing that, the first filled sheet is read as a bare list of numbers.
    """
    with open_source(path) as source:
        try:
            layout: SheetLayout | None = detect_layout(source)
        except ImportFileError:
            layout = None
        columns = find_columns(layout.headers) if layout is not None else None
        if layout is not None and columns is not None:
            yield from _rows_under(iter_records(source, layout), columns)
            return
        sheet = (
            _sheet_with_header(source)
            or (layout.sheet if layout is not None else None)
            or _first_filled_sheet(source)
        )
        if sheet is not None:
            yield from suppression_rows(enumerate(source.rows(sheet), start=1))
