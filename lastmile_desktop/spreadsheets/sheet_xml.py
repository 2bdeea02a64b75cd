"""Rows as the worksheet XML holds them, written straight into xlsxwriter's row file.

xlsxwriter in constant-memory mode keeps one row in a dictionary of cell objects, then turns
each cell into XML through a chain of method calls: about 6 microseconds a cell, most of an
export's time at 5 million cells. ``RowWriter`` makes a whole row's XML in one expression per
cell (the same XML xlsxwriter writes: inline strings, numbers with its precision, booleans,
style indexes of its formats) and appends it to the sheet's row file, where xlsxwriter picks
it up when it assembles the workbook. Everything else (styles, tables, charts, the package)
is xlsxwriter's. This leans on how xlsxwriter 3.3 lays a constant-memory sheet out (its row
file ``fh``, ``previous_row``, the dimensions); the tests read every sheet back with
openpyxl and LibreOffice, so a change there shows at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from lastmile_desktop.spreadsheets.safe_cells import FORMULA_STARTS

# Excel's limit of characters in a cell; longer text is cut there (Excel would refuse it).
MAX_CELL_CHARS = 32_767
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DAY = date(1899, 12, 30).toordinal()
_SECONDS_PER_DAY = 86_400
# What text must be escaped for: XML's own characters, control characters (written as
# _xHHHH_, as Excel does), text that already looks like such an escape, and non-characters.
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_LOOKS_ESCAPED = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CellXml = Callable[[str, Any], str]


def excel_serial(value: date | datetime) -> float:
    """The number Excel keeps for a date or a (naive) date and time: days since 1899-12-30."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / _SECONDS_PER_DAY
    return float(value.toordinal() - _EXCEL_EPOCH_DAY)


def escaped(text: str) -> str:
    """Text as an inline string holds it."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _LOOKS_ESCAPED.sub(r"_x005F\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A carriage return as a character reference (a bare one reads back as a line feed);
    # the other control characters XML cannot hold at all, so Excel's _xHHHH_ form.
    text = text.replace("\r", "&#13;")
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def text_cell(style: int | None, quoted_style: int) -> CellXml:
    """Text, as an inline string; text a spreadsheet would run as a formula gets the
    "quote prefix" style, so it stays text even when edited."""
    plain = f' s="{style}"' if style else ""
    quoted = f' s="{quoted_style}"'

    def cell(reference: str, value: str) -> str:
        value = value[:MAX_CELL_CHARS]
        attributes = quoted if value.startswith(FORMULA_STARTS) else plain
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return (
            f'<c r="{reference}"{attributes} t="inlineStr"><is><t{space}>{escaped(value)}'
            "</t></is></c>"
        )

    return cell


def number_cell(style: int | None) -> CellXml:
    attributes = f' s="{style}"' if style else ""

    def cell(reference: str, value: float) -> str:
        if not math.isfinite(value):
            return ""  # Excel has no infinity: an empty cell
        return f'<c r="{reference}"{attributes}><v>{value:.16G}</v></c>'

    return cell


def moment_cell(style: int | None) -> CellXml:
    attributes = f' s="{style}"' if style else ""

    def cell(reference: str, value: date | datetime) -> str:
        return f'<c r="{reference}"{attributes}><v>{excel_serial(value):.16G}</v></c>'

    return cell


def boolean_cell(reference: str, value: bool) -> str:
    return f'<c r="{reference}" t="b"><v>{1 if value else 0}</v></c>'


class RowWriter:
    """Appends rows to a constant-memory xlsxwriter sheet whose header row is written.

    ``cells`` has one function per column that makes the cell's XML from its reference
    ("B7") and its value; empty values (``None``, ``""``) make no cell.
    """

    def __init__(self, sheet: Any, cells: Sequence[CellXml]) -> None:
        self.sheet = sheet
        self.cells = list(enumerate(cells))
        self.letters = [xl_col_to_name(position) for position in range(len(cells))]
        self.last_row = 0

    def write(self, row: int, values: Sequence[Any]) -> None:
        """Row ``row`` (0-based; the first data row is 1), after the rows before it."""
        sheet = self.sheet
        if row > sheet.previous_row:
            # xlsxwriter writes out the row it holds (the header) and moves on.
            sheet._write_single_row(row)
        number = str(row + 1)
        letters = self.letters
        parts = [
            make(letters[position] + number, value)
            for position, make in self.cells
            # No value, no cell: an empty string is an empty cell too, as Excel keeps it.
            if (value := values[position]) is not None and value != ""
        ]
        sheet.fh.write(f'<row r="{number}">{"".join(parts)}</row>')
        self.last_row = row

    def finish(self) -> None:
        """Tell xlsxwriter how far the rows reach (the sheet's dimension)."""
        if self.last_row:
            sheet = self.sheet
            sheet.dim_rowmax = max(sheet.dim_rowmax or 0, self.last_row)
            sheet.dim_colmin = 0 if sheet.dim_colmin is None else min(sheet.dim_colmin, 0)
            sheet.dim_colmax = max(sheet.dim_colmax or 0, len(self.cells) - 1)
