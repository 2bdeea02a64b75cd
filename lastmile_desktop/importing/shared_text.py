"""How much text a sheet unpacks to when its cells point into the shared string table.

A workbook stores each distinct text once and cells refer to it by number; calamine gives
every cell its own copy. One 32,000-character string referred to by a million cells is a
45 KB file that asks for 32 GB. The sizes of the table's strings and the references of each
sheet give the text a sheet will take; ``check_sheet_text`` refuses more than any customer
list needs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from lastmile_desktop.importing.errors import too_large
from lastmile_desktop.importing.sheet_extent import STRING_OVERHEAD_BYTES, read_varint

# Text of 500,000 customers in 10 columns is about 100 MB with the per-string overhead.
MAX_SHEET_TEXT_BYTES = 256 * 1024 * 1024
STRING_OVERHEAD = STRING_OVERHEAD_BYTES
_CHUNK = 4 * 1024 * 1024


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

_STRING_ITEM = re.compile(rb"<si\b[^>]*>(.*?)</si>|<si\b[^>]*/>", re.DOTALL)
_SHARED_CELL_INDEX = re.compile(
    rb'<c\s[^>]*?\bt="s"[^>]*>\s*(?:<f\b[^>]*(?:/>|>[^<]*</f>)\s*)?<v>\s*(\d{1,12})\s*</v>'
)


def xlsx_string_sizes(stream: IO[bytes]) -> list[int]:
    """The size of each string of a sharedStrings.xml, in order (its XML: an upper bound)."""
    sizes: list[int] = []
    carry = b""
    while True:
        block = stream.read(_CHUNK)
        data = carry + block
        end = 0
        for match in _STRING_ITEM.finditer(data):
            body = match.group(1)
            sizes.append((len(body) if body else 0) + STRING_OVERHEAD)
            end = match.end()
        carry = data[end:]
        if not block:
            return sizes


def xlsx_shared_references(stream: IO[bytes]) -> Counter[int]:
    """How many cells of a worksheet part refer to each shared string."""
    references: Counter[int] = Counter()
    carry = b""
    while True:
        block = stream.read(_CHUNK)
        data = carry + block
        cut = data.rfind(b"<c ") if block else len(data)
        cut = max(cut, 0)
        references.update(int(index) for index in _SHARED_CELL_INDEX.findall(data, 0, cut))
        carry = data[cut:]
        if not block:
            return references


_INLINE_TEXT = re.compile(rb"<is>(.*?)</is>", re.DOTALL)


def xlsx_inline_text_bytes(stream: IO[bytes]) -> int:
    """The text of a worksheet's inline strings (t="inlineStr"), each with its overhead."""
    total = 0
    carry = b""
    while True:
        block = stream.read(_CHUNK)
        data = carry + block
        cut = data.rfind(b"<c ") if block else len(data)
        cut = max(cut, 0)
        for match in _INLINE_TEXT.finditer(data, 0, cut):
            total += len(match.group(1)) + STRING_OVERHEAD
        carry = data[cut:]
        if not block:
            return total


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
