"""How much memory a sheet will take once a reader lays it out, found before the reader runs.

calamine lays every sheet out as a dense rectangle from its first to its last cell holding a
value, 32 bytes a cell: two values at A1 and XFD1048576 ask for 512 GB and abort the process.
The scanners here stream a sheet's part once (never holding it whole) and measure the
rectangle of cells that hold values (styled empty cells do not count, as calamine skips
them). ``check_extent`` refuses what no customer list needs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lastmile_desktop.spreadsheets.errors import RESAVE, ImportFileError, too_large

# 32 bytes a cell: 6 million cells is about 190 MB, room for 500,000 customers in 12 columns.
MAX_SHEET_CELLS = 6_000_000
BYTES_PER_CELL = 32
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_CHUNK = 4 * 1024 * 1024
# What a copied string costs beyond its characters: the allocation's header and rounding.
STRING_OVERHEAD_BYTES = 16
# No tag of a sheet is longer than this; a chunk is only cut at the start of a tag.
_MAX_TAG_BYTES = 1024 * 1024


@dataclass
class Extent:
    """The rectangle of cells holding values, in rows and columns counted from 1.

    ``shared_cells`` counts the cells that refer to the shared string table; ``references``
    says how often each string is referred to, where the scan learned it (xlsb, xls).
    """

    rows: int = 0
    columns: int = 0
    text_bytes: int = 0  # text held in the cells themselves (ODS), repeats included
    shared_cells: int = 0
    references: Counter[int] = field(default_factory=Counter)

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    def include(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)


def check_extent(path: Path, extent: Extent, sheet: str | None = None) -> None:
    """Refuse a sheet past Excel's limits or larger than any customer list."""
    where = f"the sheet '{sheet}'" if sheet else "a sheet"
    if extent.columns > EXCEL_MAX_COLUMNS or extent.rows > EXCEL_MAX_ROWS:
        raise ImportFileError(
            path,
            f"has cells beyond Excel's last row or column in {where}, which no spreadsheet "
            f"program writes; {RESAVE}",
            detail=f"{where} spans {extent.rows:,} rows by {extent.columns:,} columns",
        )
    if extent.cells > MAX_SHEET_CELLS:
        raise too_large(
            path, extent.cells * BYTES_PER_CELL, where, f"{extent.cells:,} cells in memory"
        )


def xml_chunks(
    stream: IO[bytes], boundary: bytes = b"<", *, local_names: bool = False
) -> Iterator[bytes]:
    """The stream in pieces of about 4 MB, each cut just before a ``boundary`` (a tag start).

    With ``local_names`` element names lose their namespace prefix (``<x:c`` reads ``<c``),
    as calamine matches elements by local name: the C-speed scans then need one spelling.
    """
    carry = b""
    while True:
        block = stream.read(_CHUNK)
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        if local_names:
            data = without_prefixes(data)
        cut = data.rfind(boundary)
        if cut <= 0:
            if len(data) > _MAX_TAG_BYTES:
                yield data  # no tag boundary at all: not XML worth keeping together
                carry = b""
            else:
                carry = data
            continue
        yield data[:cut]
        carry = data[cut:]


# A prefixed element that matters to a worksheet or its strings. Searched for first (a scan
# for ':' is fast) so unprefixed parts, nearly all of them, skip the rewrite.
_PREFIXED_ELEMENT = re.compile(rb":(?:c|row|v|f|is|si)[\s>/]")
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")


def without_prefixes(xml: bytes) -> bytes:
    """``xml`` with every element name's prefix dropped, when any element that counts has one."""
    if _PREFIXED_ELEMENT.search(xml) is None:
        return xml
    return _PREFIX.sub(rb"<\1", xml)


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


# --- xlsb worksheet records ---------------------------------------------------------------------

_BRT_ROW_HEADER = 0x00
_BRT_CELL_BLANK = 0x01
_BRT_LAST_CELL = 0x0B  # BrtCellRk ... BrtFmlaError carry a column; BrtCellBlank is empty
_BRT_CELL_SHARED_STRING = 0x07  # BrtCellIsst: column, style, then the string's index


def xlsb_sheet_extent(stream: IO[bytes]) -> Extent:
    """The value rectangle and shared-string references of an xlsb worksheet, record by record."""
    data = stream.read()
    extent = Extent()
    row = 0
    position, end = 0, len(data)
    while position < end:
        record_type, position = read_varint(data, position, 2)
        size, position = read_varint(data, position, 4)
        if record_type == _BRT_ROW_HEADER and size >= 4:
            row = int.from_bytes(data[position : position + 4], "little") + 1
        elif _BRT_CELL_BLANK < record_type <= _BRT_LAST_CELL and size >= 4:
            column = int.from_bytes(data[position : position + 4], "little") + 1
            extent.include(row, column)
            if record_type == _BRT_CELL_SHARED_STRING and size >= 12:
                extent.shared_cells += 1
                extent.references[int.from_bytes(data[position + 8 : position + 12], "little")] += 1
        position += size
    return extent


def read_varint(data: bytes, position: int, max_bytes: int) -> tuple[int, int]:
    value = 0
    for shift in range(max_bytes):
        if position >= len(data):
            return value, position
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << (7 * shift)
        if not byte & 0x80:
            break
    return value, position


# --- ods content.xml ------------------------------------------------------------------------------

_ODS_TAG = re.compile(
    rb"<(/?)[\w.-]+:(table|table-row|table-cell|covered-table-cell)(?=[\s>/])([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d{1,12})"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d{1,12})"')
_TABLE_NAME = re.compile(rb'\bname="([^"]*)"')


def ods_sheet_extents(stream: IO[bytes]) -> dict[str, Extent]:
    """The value rectangle and text of every table in an ODS ``content.xml``, by table name.

    Repeated rows and cells count as many times as they repeat, once they hold a value: the
    empty repeats LibreOffice writes to the end of every sheet cost nothing. A repeated cell's
    text is copied for every repeat, so its content counts that many times in ``text_bytes``.
    """
    extents: dict[str, Extent] = {}
    extent = Extent()
    row = 0  # rows before the current one
    repeat = 1
    column = 0
    widest = 0  # the last column holding a value in the current row
    row_text = 0  # content bytes of the current row, repeats of cells included
    cell_opened_at = cell_span = 0
    offset = 0  # of the current chunk in the stream
    for chunk in xml_chunks(stream):
        for match in _ODS_TAG.finditer(chunk):
            closing, name, attributes, self_closed = match.groups()
            if name == b"table":
                if not closing:
                    extent = Extent()
                    found = _TABLE_NAME.search(attributes)
                    label = found.group(1).decode("utf-8", "replace") if found else ""
                    extents[label or f"Sheet{len(extents) + 1}"] = extent
                    row = 0
                continue
            if name == b"table-row":
                if not closing:
                    found = _ROWS_REPEATED.search(attributes)
                    repeat = int(found.group(1)) if found else 1
                    column = widest = row_text = 0
                if closing or self_closed:
                    if widest:
                        extent.include(row + repeat, widest)
                        extent.text_bytes += row_text * repeat
                    row += repeat
                continue
            if closing:
                content = offset + match.start() - cell_opened_at
                row_text += (content + STRING_OVERHEAD_BYTES) * cell_span
                continue
            found = _COLUMNS_REPEATED.search(attributes)
            cell_span = int(found.group(1)) if found else 1
            column += cell_span
            if not self_closed:
                cell_opened_at = offset + match.end()
            if not self_closed or b"value-type" in attributes:
                widest = column
        offset += len(chunk)
    return extents
