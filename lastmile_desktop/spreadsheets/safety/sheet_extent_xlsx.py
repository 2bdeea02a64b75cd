"""The value rectangle of an xlsx worksheet part, in one streaming pass made of C-speed scans.

Every common writer gives each cell its full reference (``<c r="B7"``), so a cell's place
does not depend on the cells before it. Such a piece of the part needs no Python loop over
its cells: the last cell holding a value gives a first guess of the widest column and the
deepest row, then one regular-expression search looks for a cell holding a value beyond
them, or for a reference of any other form. A hit costs at most one ``findall`` for the
columns and one for the rows of that piece. Pieces holding a cell without its reference
(or with an unusual one) are walked tag by tag, counting the way calamine does: the next
column of the row, the next row.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import IO

from lastmile_desktop.spreadsheets.safety.shared_text import InlineTextMeter
from lastmile_desktop.spreadsheets.safety.sheet_extent import Extent, column_number, xml_chunks

_CELL = b'<c r="'
# What every writer puts first in a cell: letters and a row number without leading zeros.
_USUAL_REFERENCE = rb'[A-Z]{1,3}[1-9][0-9]{0,6}"'
# A cell holding a value is not self-closed; a styled empty cell is ``<c r="B7" s="3"/>``.
_HOLDS_VALUE = rb"(?=[^>]*(?<!/)>)"
_VALUE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?=[\s>/])' + _HOLDS_VALUE)
_VALUE_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[1-9][0-9]{0,6}"' + _HOLDS_VALUE)
_VALUE_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"' + _HOLDS_VALUE)
# How many cells back from a piece's end to look for one holding a value (the first guess).
_GUESS_ATTEMPTS = 32
_SHARED_TYPE = b't="s"'

# calamine's reading of cells without a reference: every tag, in order.
_TAG = re.compile(rb"<(row|c)(?=[\s>/])([^>]*?)(/?)>")
_REF = re.compile(rb'\br="([A-Z]{1,12})?(\d{1,12})?"')


def column_letters(number: int) -> str:
    """1 -> "A", 16384 -> "XFD"; 0 -> ""."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _up_to(text: str, lowest_first: str, lowest: str, any_one: str) -> str:
    """A pattern for strings of the same alphabet no greater than ``text``: as long and not
    greater character by character, or shorter. The longest form comes first (the usual
    case in a sorted sheet); a possessive quantifier lets a too-long value fail at once."""
    if not text:
        return "(?!)"
    choices = []
    for position, character in enumerate(text):
        floor = lowest_first if position == 0 else lowest
        if character > floor:
            rest = len(text) - position - 1
            choices.append(
                text[:position]
                + f"[{floor}-{chr(ord(character) - 1)}]"
                + (f"{any_one}{{{rest}}}" if rest else "")
            )
    choices.append(text)
    if len(text) > 1:
        first = f"[{lowest_first}-{any_one[-2]}]"
        choices.append(f"{first}{any_one}{{0,{len(text) - 2}}}+")
    return "(?:" + "|".join(choices) + ")"


@functools.lru_cache(maxsize=64)
def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag other than a usual reference within ``columns`` x ``rows`` or a usual
    self-closed (empty) cell: a cell holding a value past them, or one of another form."""
    letters = _up_to(column_letters(columns), "A", "A", "[A-Z]")
    digits = _up_to(str(rows) if rows else "", "1", "0", "[0-9]")
    return re.compile(
        rb"<c(?=[\s>/])(?! r=\"(?:" + f"{letters}{digits}".encode() + rb'"[\s>/]'
        rb"|" + _USUAL_REFERENCE + rb"[^>]*/>))"
    )


@dataclass
class _Cursor:
    """Where calamine's counting stands: the current row and the last column read."""

    row: int = 0
    column: int = 0


def xlsx_sheet_extent(stream: IO[bytes], *, measure_inline_text: bool = False) -> Extent:
    """The value rectangle of a worksheet part, and how many cells refer to shared strings.

    With ``measure_inline_text`` the text of its inline strings goes to ``text_bytes``.
    Prefixed element names (``<x:c>``) count like plain ones, as calamine reads them.
    """
    extent = Extent()
    cursor = _Cursor()
    inline = InlineTextMeter() if measure_inline_text else None
    for chunk in xml_chunks(stream, local_names=True):
        if _measure_by_reference(chunk, extent):
            resume = _resume_point(chunk)
            if resume is not None:
                _walk_tags(chunk, resume, extent, cursor)
        else:
            _walk_tags(chunk, 0, extent, cursor)
        extent.shared_cells += chunk.count(_SHARED_TYPE)
        if inline is not None:
            inline.add(chunk)
    if inline is not None:
        extent.text_bytes = inline.total
    return extent


def _measure_by_reference(chunk: bytes, extent: Extent) -> bool:
    """Widen ``extent`` to the cells of ``chunk`` when each names its place; False otherwise."""
    columns, rows = extent.columns, extent.rows
    last = _last_value_cell(chunk)
    if last is not None:
        columns, rows = max(columns, last[0]), max(rows, last[1])
    start = 0
    while hit := _outside(columns, rows).search(chunk, start):
        if _VALUE_CELL.match(chunk, hit.start()) is None:
            return False  # a cell without its reference, or with an unusual one
        # A value past the guess (an unsorted sheet): take the rest of the chunk at once.
        found_columns = set(_VALUE_COLUMNS.findall(chunk, hit.start()))
        columns = max(columns, *map(column_number, found_columns))
        rows = max(rows, *map(int, set(_VALUE_ROWS.findall(chunk, hit.start()))))
        start = hit.start()
    extent.include(rows, columns)
    return True


def _last_value_cell(chunk: bytes) -> tuple[int, int] | None:
    """(widest column, deepest row) of the last cells of ``chunk`` that hold values, if any are
    near its end: the last rows of a sorted sheet, their last columns."""
    found: tuple[int, int] | None = None
    end = len(chunk)
    for _ in range(_GUESS_ATTEMPTS):
        start = chunk.rfind(_CELL, 0, end)
        if start < 0:
            break
        cell = _VALUE_CELL.match(chunk, start)
        if cell:
            column, row = column_number(cell[1]), int(cell[2])
            found = (max(found[0], column), max(found[1], row)) if found else (column, row)
        end = start
    return found


def _resume_point(chunk: bytes) -> int | None:
    """Where the tags that decide the cursor after ``chunk`` start: its last cell or numbered
    row (an absolute place), else its beginning; None when it holds neither rows nor cells."""
    start = max(chunk.rfind(_CELL), chunk.rfind(b'<row r="'))
    if start >= 0:
        return start
    return 0 if b"<row" in chunk else None


def _walk_tags(chunk: bytes, start: int, extent: Extent, cursor: _Cursor) -> None:
    """Follow every row and cell tag from ``start`` as calamine counts them."""
    row, column = cursor.row, cursor.column
    for name, attributes, self_closed in _TAG.findall(chunk, start):
        reference = _REF.search(attributes)
        if name == b"row":
            row = int(reference[2]) if reference and reference[2] else row + 1
            column = 0
            continue
        if reference and reference[1]:
            column = column_number(reference[1])
            if reference[2]:
                row = int(reference[2])
        else:
            column += 1
        if not self_closed:
            extent.include(row, column)
    cursor.row, cursor.column = row, column
