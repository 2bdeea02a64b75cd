"""Delimited text (CSV) as one sheet: encoding and separator are found from the content.

Head-office systems write UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel),
or the Windows code page 1252; the separator is a comma, a semicolon (where the decimal
separator is a comma) or a tab; Excel's "sep=;" first line names it and, as in Excel, is not
a row. Every value stays the text that was typed, so leading zeros of phone numbers and ids
survive; an empty field is ``None``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo
from lastmile_desktop.spreadsheets.errors import ImportFileError, format_bytes
from lastmile_desktop.spreadsheets.safety.files import wide_text_encoding
from lastmile_desktop.spreadsheets.table_source import TableSource

# 500,000 customers with a dozen columns is about 100 MB of text.
MAX_CSV_BYTES = 512 * 1024 * 1024
# A record of a customer list is a few hundred characters; a megabyte is not a record.
MAX_LINE_CHARS = 1024 * 1024
SEPARATORS = (",", ";", "\t", "|")
_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 50
_CHUNK = 1024 * 1024
_SEPARATOR_HINT = re.compile(r"sep=(.)", re.IGNORECASE)


def detect_encoding(path: Path) -> str:
    """UTF-16/32 by BOM or NUL pattern; UTF-8 when every byte decodes as such; else cp1252."""
    with path.open("rb") as handle:
        head = handle.read(4096)
        wide = wide_text_encoding(head)
        if wide:
            return wide
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _open_text(path: Path, encoding: str) -> TextIO:
    # UTF-8 was checked byte by byte; in the others an odd byte shows as U+FFFD rather than
    # refusing a whole list over one character.
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    return path.open(encoding=encoding, errors=errors, newline="")


def _bounded_lines(path: Path, handle: TextIO) -> Iterator[str]:
    line_number = 0
    while line := handle.readline(MAX_LINE_CHARS + 1):
        line_number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(
                path,
                f"has a line longer than {MAX_LINE_CHARS:,} characters (line {line_number}): "
                "it is not a customer list",
            )
        yield line


def sniff_separator(sample_lines: list[str]) -> str:
    """The separator that splits the sample into the most consistent number of columns."""
    best, best_score = ",", (0.0, 0)
    for separator in SEPARATORS:
        try:
            counts = [
                len(fields)
                for fields in csv.reader(sample_lines, delimiter=separator)
                if any(field.strip() for field in fields)
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        columns, rows_with_that_many = Counter(counts).most_common(1)[0]
        if columns < 2:
            continue
        score = (rows_with_that_many / len(counts), columns)
        if score > best_score:
            best, best_score = separator, score
    return best


class CsvSource(TableSource):
    """A CSV file as a single sheet named after the file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise ImportFileError(
                path,
                f"is too large to be a customer list ({format_bytes(size)} of text): split it "
                "into smaller files",
            )
        self.encoding = detect_encoding(path)
        self.separator_line = self._separator_hint()
        self.separator = self.separator_line or sniff_separator(self._sample_lines())

    def _separator_hint(self) -> str | None:
        """The separator named by Excel's "sep=;" first line, which Excel then hides."""
        with _open_text(self.path, self.encoding) as handle:
            first = handle.readline(64)
        found = _SEPARATOR_HINT.fullmatch(first.strip().strip('"'))
        return found.group(1) if found else None

    def _lines(self, handle: TextIO) -> Iterator[str]:
        lines = _bounded_lines(self.path, handle)
        if self.separator_line:
            next(lines, None)
        return lines

    def _sample_lines(self) -> list[str]:
        lines: list[str] = []
        characters = 0
        with _open_text(self.path, self.encoding) as handle:
            for line in self._lines(handle):
                lines.append(line)
                characters += len(line)
                if len(lines) >= _SNIFF_LINES or characters >= _SNIFF_CHARS:
                    # The last line read may be cut inside a quoted field: leave it out.
                    return lines[:-1] if len(lines) > 1 else lines
        return lines

    @property
    def sheet_name(self) -> str:
        return self.path.stem

    def sheets(self) -> list[SheetInfo]:
        return [SheetInfo(name=self.sheet_name, index=0, visible=True)]

    def rows(self, sheet: str) -> Iterator[list[CellValue]]:
        if sheet != self.sheet_name:
            raise ImportFileError(
                self.path,
                f"is a CSV file with a single sheet '{self.sheet_name}', not '{sheet}'",
            )
        return self._read_rows()

    def _read_rows(self) -> Iterator[list[CellValue]]:
        with _open_text(self.path, self.encoding) as handle:
            reader = csv.reader(self._lines(handle), delimiter=self.separator)
            try:
                for fields in reader:
                    row: list[CellValue] = [
                        (field.replace("\x00", "") if "\x00" in field else field) or None
                        for field in fields
                    ]
                    while row and row[-1] is None:
                        row.pop()
                    yield row
            except csv.Error as error:
                raise ImportFileError(self.path, _csv_problem(error, reader.line_num)) from None


def _csv_problem(error: csv.Error, line_number: int) -> str:
    detail = str(error)
    if "field larger than field limit" in detail:
        return (
            f"has a quotation mark that is never closed (from about line {line_number}): "
            "fix that line or export the file again"
        )
    if "NUL" in detail:
        return f"is not a text file (line {line_number} holds binary data): export it again"
    return f"is not a valid CSV file (line {line_number}: {detail}): export it again"
