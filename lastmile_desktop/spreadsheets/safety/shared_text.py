"""How much text a sheet unpacks to when its cells point into the shared string table.

A workbook stores each distinct text once and cells refer to it by number; calamine gives
every cell its own copy. One 32,000-character string referred to by a million cells is a
45 KB file that asks for 32 GB. The sizes of the table's strings and the references of each
sheet give the text a sheet will take; ``check_sheet_text`` refuses more than any customer
list needs.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from operator import add
from pathlib import Path
from typing import IO

from lastmile_desktop.spreadsheets.errors import too_large
from lastmile_desktop.spreadsheets.safety.sheet_extent import (
    STRING_OVERHEAD_BYTES,
    read_varint,
    xml_chunks,
)

# Text of 500,000 customers in 10 columns is about 100 MB with the per-string overhead.
MAX_SHEET_TEXT_BYTES = 256 * 1024 * 1024
STRING_OVERHEAD = STRING_OVERHEAD_BYTES


def check_sheet_text(path: Path, text_bytes: int, sheet: str | None = None) -> None:
    if text_bytes > MAX_SHEET_TEXT_BYTES:
        where = f"the text of the sheet '{sheet}'" if sheet else "the text of a sheet"
        raise too_large(path, text_bytes, where)


def text_bytes(sizes: Sequence[int], references: Counter[int]) -> int:
    """The bytes of every referring cell's copy; a reference past the table copies nothing."""
    count = len(sizes)
    return sum(sizes[index] * times for index, times in references.items() if index < count)


def worst_case_text_bytes(sizes: Sequence[int], reference_count: int) -> int:
    """A quick bound: every reference to the longest string."""
    return max(sizes, default=0) * reference_count


# --- xlsx: sharedStrings.xml and t="s" cells ---------------------------------------------------

_STRING_ITEM = re.compile(rb"<si\b")
_SHARED_CELL_INDEX = re.compile(
    rb'<c\s[^>]*?\bt="s"[^>]*>\s*(?:<f\b[^>]*(?:/>|>[^<]*</f>)\s*)?<v>\s*(\d{1,12})\s*</v>'
)
_SHARED_TYPE = b't="s"'


def xlsx_string_sizes(stream: IO[bytes]) -> array[int]:
    """The size of each string of a sharedStrings.xml, in order: an upper bound, its XML from
    its ``<si`` to the next one, and the overhead of a copy.

    The part is split at each ``<si>`` with C-speed calls, one chunk at a time; a string
    longer than a chunk is added up across chunks, never held whole.
    """
    sizes: array[int] = array("q")
    pending = -1  # bytes so far of the string that runs past the chunk, -1 before the first
    for chunk in xml_chunks(stream, local_names=True):
        if chunk.count(b"<si") == chunk.count(b"<si>"):
            head, *items = chunk.split(b"<si>")  # no attributes: the faster split
        else:
            head, *items = _STRING_ITEM.split(chunk)
        if pending >= 0:
            pending += len(head)
        if not items:
            continue
        if pending >= 0:
            sizes.append(pending + STRING_OVERHEAD)
        sizes.extend(map(add, map(len, items[:-1]), repeat(STRING_OVERHEAD)))
        pending = len(items[-1])
    if pending >= 0:
        sizes.append(pending + STRING_OVERHEAD)
    return sizes


def xlsx_shared_text_bytes(stream: IO[bytes], sizes: Sequence[int]) -> int:
    """The text a worksheet part's cells copy from the shared string table.

    Each cell's copy is measured by its index; a ``t="s"`` the pattern cannot read (an odd
    cell, or one cut by a chunk boundary) counts as a copy of the longest string.
    """
    count = len(sizes)
    longest = max(sizes, default=0)
    total = 0
    for chunk in xml_chunks(stream, b"<c ", local_names=True):
        indexes = _SHARED_CELL_INDEX.findall(chunk)
        total += (chunk.count(_SHARED_TYPE) - len(indexes)) * longest
        for index, times in Counter(indexes).items():
            number = int(index)
            if number < count:
                total += sizes[number] * times
    return total


class InlineTextMeter:
    """Adds up the text of a worksheet's inline strings (``<is>``), fed chunk by chunk.

    A string cut by a chunk boundary is carried as a count of bytes, so memory stays that of
    one chunk however long the string.
    """

    _OPEN, _CLOSE = b"<is>", b"</is>"
    _ITEM = re.compile(rb"<is>(.*?)</is>", re.DOTALL)

    def __init__(self) -> None:
        self.total = 0
        self._inside = False

    def add(self, chunk: bytes) -> None:
        start = 0
        if self._inside:
            close = chunk.find(self._CLOSE)
            if close < 0:
                self.total += len(chunk)
                return
            self.total += close
            start = close + len(self._CLOSE)
            self._inside = False
        end = len(chunk)
        last_open = chunk.rfind(self._OPEN, start)
        if last_open >= 0 and last_open > chunk.rfind(self._CLOSE, start):
            self.total += end - last_open - len(self._OPEN) + STRING_OVERHEAD
            self._inside = True
            end = last_open
        bodies = self._ITEM.findall(chunk, start, end)
        self.total += sum(map(len, bodies)) + STRING_OVERHEAD * len(bodies)


# --- xlsb: sharedStrings.bin (BrtSSTItem records) ----------------------------------------------

_BRT_SST_ITEM = 0x13


def xlsb_string_sizes(data: bytes) -> list[int]:
    """The UTF-8 size bound of each string of an xlsb shared string table."""
    sizes: list[int] = []
    position, end = 0, len(data)
    while position < end:
        record_type, position = read_varint(data, position, 2)
        size, position = read_varint(data, position, 4)
        if record_type == _BRT_SST_ITEM and size >= 5:
            characters = int.from_bytes(data[position + 1 : position + 5], "little")
            sizes.append(3 * characters + STRING_OVERHEAD)
        position += size
    return sizes
