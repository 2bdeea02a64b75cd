"""Just enough of the OLE compound file (CFB) and BIFF formats to vet an .xls before reading it.

An .xls is a little file system (CFB) holding a "Workbook" stream of BIFF records. Fuzzed
and damaged files have sector chains that loop or point outside the file, and cells placed
so far apart that a reader lays out billions of empty cells. This reader follows every
chain with a step limit and a visited set, and walks the records once to measure each
sheet, so a hostile file is refused in milliseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from lastmile_desktop.spreadsheets.safety.shared_text import STRING_OVERHEAD
from lastmile_desktop.spreadsheets.safety.sheet_extent import Extent

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SIZE = 512
_DIRECTORY_ENTRY = 128
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_LAST_REGULAR_SECTOR = 0xFFFFFFFA
_STREAM, _ROOT = 2, 5


class DamagedContainer(Exception):
    """The compound file's structure is broken; the message says how, for the log."""


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    kind: int
    start: int
    size: int


class CompoundFile:
    """A CFB held in memory; streams are read by name."""

    def __init__(self, data: bytes) -> None:
        if len(data) < _HEADER_SIZE or not data.startswith(OLE_MAGIC):
            raise DamagedContainer("no compound file header")
        self._data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise DamagedContainer(f"sector size 2^{shift} is not a CFB sector size")
        self._sector = 1 << shift
        self._sectors_in_file = (len(data) - 1) // self._sector  # beyond the header
        (
            self._first_directory,
            _,
            self._mini_cutoff,
            self._first_mini_fat,
            mini_fat_count,
            first_difat,
            difat_count,
        ) = struct.unpack_from("<IIIIIII", data, 0x30)
        del mini_fat_count
        self._fat = self._read_fat(first_difat, difat_count)
        self.entries = self._read_directory()
        root = self.entries[0] if self.entries else None
        if root is None or root.kind != _ROOT:
            raise DamagedContainer("no root directory entry")
        self._mini_stream = self._chain_bytes(root.start, root.size)
        self._mini_fat = self._u32s(self._chain_bytes(self._first_mini_fat, None))

    def _sector_bytes(self, sector: int) -> bytes:
        if sector > _LAST_REGULAR_SECTOR or sector >= self._sectors_in_file:
            raise DamagedContainer(f"sector {sector} lies outside the file")
        start = (sector + 1) * self._sector
        return self._data[start : start + self._sector]

    @staticmethod
    def _u32s(raw: bytes) -> list[int]:
        count = len(raw) // 4
        return list(struct.unpack_from(f"<{count}I", raw)) if count else []

    def _read_fat(self, first_difat: int, difat_count: int) -> list[int]:
        fat_sectors = self._u32s(self._data[0x4C:_HEADER_SIZE])
        sector = first_difat
        seen: set[int] = set()
        while sector not in (_END_OF_CHAIN, _FREE) and len(seen) < difat_count + 1:
            if sector in seen:
                raise DamagedContainer("the DIFAT chain loops")
            seen.add(sector)
            ids = self._u32s(self._sector_bytes(sector))
            fat_sectors.extend(ids[:-1])
            sector = ids[-1]
        fat: list[int] = []
        for fat_sector in fat_sectors:
            if fat_sector > _LAST_REGULAR_SECTOR:
                continue
            fat.extend(self._u32s(self._sector_bytes(fat_sector)))
            if len(fat) > self._sectors_in_file + self._sector:
                break  # every sector of the file is mapped; the rest is padding
        return fat

    def _chain(self, start: int, table: list[int], limit: int) -> list[int]:
        chain: list[int] = []
        seen: set[int] = set()
        sector = start
        while sector != _END_OF_CHAIN:
            if sector in seen or sector >= len(table) or len(chain) > limit:
                raise DamagedContainer(f"a sector chain loops or leaves the table at {sector}")
            seen.add(sector)
            chain.append(sector)
            sector = table[sector]
        return chain

    def _chain_bytes(self, start: int, size: int | None) -> bytes:
        if start == _END_OF_CHAIN or (size == 0):
            return b""
        sectors = self._chain(start, self._fat, self._sectors_in_file)
        data = b"".join(self._sector_bytes(sector) for sector in sectors)
        # A stream whose size says more than its sectors hold is read as far as it goes:
        # Excel and calamine accept such files, and the record walk stops at the end.
        return data if size is None else data[:size]

    def _read_directory(self) -> list[DirectoryEntry]:
        raw = self._chain_bytes(self._first_directory, None)
        entries = []
        for offset in range(0, len(raw) - _DIRECTORY_ENTRY + 1, _DIRECTORY_ENTRY):
            name_length, kind = struct.unpack_from("<HB", raw, offset + 64)
            name = raw[offset : offset + min(name_length, 64)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", raw, offset + 0x74)
            if self._sector == 512:
                size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
            entries.append(DirectoryEntry(name.rstrip("\0"), kind, start, size))
        return entries

    def stream(self, *names: str) -> bytes | None:
        """The first stream whose name matches one of ``names`` (case-insensitive), or None."""
        wanted = {name.casefold() for name in names}
        for entry in self.entries:
            if entry.kind == _STREAM and entry.name.casefold() in wanted:
                if entry.size < self._mini_cutoff:
                    return self._mini_stream_bytes(entry)
                return self._chain_bytes(entry.start, entry.size)
        return None

    def _mini_stream_bytes(self, entry: DirectoryEntry) -> bytes:
        if entry.size == 0:
            return b""
        sectors = self._chain(entry.start, self._mini_fat, len(self._mini_fat))
        data = b"".join(self._mini_stream[sector * 64 : sector * 64 + 64] for sector in sectors)
        return data[: entry.size]


# --- BIFF records of the Workbook stream ---------------------------------------------------------

_BOF_RECORDS = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_EOF = 0x000A
_FILEPASS = 0x002F
_BOUNDSHEET = 0x0085
_MULRK = 0x00BD
_SST = 0x00FC
_CONTINUE = 0x003C
_LABELSST = 0x00FD
# Records holding one value: row (u16) then column (u16) first. BLANK/MULBLANK are empty.
_VALUE_RECORDS = frozenset(
    {0x0203, 0x027E, 0x00FD, 0x0204, 0x0006, 0x0406, 0x0205, 0x00D6, 0x0002, 0x0003, 0x0004}
)


@dataclass
class WorkbookFacts:
    """What the record walk learned: encryption, and each sheet's value rectangle."""

    encrypted: bool = False
    sheets: dict[str, Extent] = field(default_factory=dict)
    string_sizes: list[int] = field(default_factory=list)  # of the shared string table


def walk_workbook_stream(stream: bytes) -> WorkbookFacts:
    """Walk the BIFF records once: FILEPASS means encrypted; cells give each sheet's extent."""
    facts = WorkbookFacts()
    names_by_offset: dict[int, str] = {}
    extents_by_offset: dict[int, Extent] = {}
    current: Extent | None = None
    biff8 = True
    table: list[bytes] | None = None  # the SST record and its CONTINUE records
    position, end = 0, len(stream)
    while position + 4 <= end:
        record, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if table is not None:
            if record == _CONTINUE:
                table.append(stream[body : body + length])
                position = body + length
                continue
            facts.string_sizes = shared_string_sizes(table)
            table = None
        if record in _BOF_RECORDS:
            if position == 0 and length >= 2:
                biff8 = struct.unpack_from("<H", stream, body)[0] >= 0x0600
            current = extents_by_offset.setdefault(position, Extent())
        elif record == _EOF:
            current = None
        elif record == _FILEPASS:
            facts.encrypted = True
            return facts
        elif record == _SST:
            table = [stream[body : body + length]]
        elif record == _BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            names_by_offset[offset] = _sheet_name(stream[body + 6 : body + length], biff8)
        elif current is not None and length >= 4:
            if record in _VALUE_RECORDS:
                row, column = struct.unpack_from("<HH", stream, body)
                current.include(row + 1, column + 1)
                if record == _LABELSST and length >= 10:
                    current.shared_cells += 1
                    current.references[struct.unpack_from("<I", stream, body + 6)[0]] += 1
            elif record == _MULRK and length >= 6:
                row = struct.unpack_from("<H", stream, body)[0]
                last_column = struct.unpack_from("<H", stream, body + length - 2)[0]
                current.include(row + 1, last_column + 1)
        position = body + length
    if table is not None:
        facts.string_sizes = shared_string_sizes(table)
    for offset, extent in extents_by_offset.items():
        if extent.cells:
            facts.sheets[names_by_offset.get(offset, f"at byte {offset}")] = extent
    return facts


def _sheet_name(raw: bytes, biff8: bool) -> str:
    if not raw:
        return ""
    if not biff8:
        return raw[1 : 1 + raw[0]].decode("cp1252", "replace")
    length, flags = raw[0], raw[1] if len(raw) > 1 else 0
    if flags & 1:
        return raw[2 : 2 + 2 * length].decode("utf-16-le", "replace")
    return raw[2 : 2 + length].decode("latin-1")


class _Exhausted(Exception):
    pass


class _PieceReader:
    """Reads across the SST record and its CONTINUE records as if they were one."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.index = 0
        self.position = 0

    def available(self) -> int:
        return len(self.pieces[self.index]) - self.position

    def next_piece(self) -> None:
        if self.index + 1 >= len(self.pieces):
            raise _Exhausted
        self.index += 1
        self.position = 0

    def take(self, count: int) -> bytes:
        taken = b""
        while len(taken) < count:
            if not self.available():
                self.next_piece()
            piece = self.pieces[self.index]
            chunk = piece[self.position : self.position + count - len(taken)]
            self.position += len(chunk)
            taken += chunk
        return taken

    def skip(self, count: int) -> None:
        while count:
            if not self.available():
                self.next_piece()
            step = min(count, self.available())
            self.position += step
            count -= step

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")


def shared_string_sizes(pieces: list[bytes]) -> list[int]:
    """A bound on the UTF-8 size of each string of a BIFF8 shared string table (SST).

    Each string is a character count, flags, optional rich-text and phonetic sizes, then
    the characters; a string cut by a CONTINUE record resumes with a fresh flags byte.
    """
    reader = _PieceReader(pieces)
    sizes: list[int] = []
    try:
        reader.skip(4)  # the count of references; the count of strings follows
        unique = reader.number(4)
        while len(sizes) < unique:
            characters = reader.number(2)
            flags = reader.number(1)
            runs = reader.number(2) if flags & 0x08 else 0
            phonetic = reader.number(4) if flags & 0x04 else 0
            width = 2 if flags & 0x01 else 1
            remaining = characters
            while remaining:
                fitting = reader.available() // width
                if not fitting:
                    reader.next_piece()
                    width = 2 if reader.number(1) & 0x01 else 1
                    continue
                step = min(remaining, fitting)
                reader.skip(step * width)
                remaining -= step
            sizes.append(3 * characters + STRING_OVERHEAD)
            reader.skip(4 * runs + phonetic)
    except _Exhausted:
        pass  # a table cut short: the strings read so far are what a reader gets
    return sizes
