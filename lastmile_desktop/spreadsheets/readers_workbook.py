"""Spreadsheets (xlsx, xlsm, xlsb, xls, ods) read through python-calamine.

calamine is a Rust reader, many times faster than openpyxl. It returns formula cells as
their cached results, date cells as ``date``/``datetime`` (1904-based workbooks included),
durations as ``timedelta``, and every number as ``float``; error cells (#N/A) and empty
cells come back as ``""``. This module turns that into the ``TableSource`` conventions.
"""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

import python_calamine as calamine

from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo
from lastmile_desktop.spreadsheets.errors import RESAVE, ImportFileError
from lastmile_desktop.spreadsheets.safety.files import FileKind
from lastmile_desktop.spreadsheets.safety.sheet_extent import MAX_SHEET_CELLS
from lastmile_desktop.spreadsheets.table_source import TableSource

# Loading a sheet is the expensive step (the whole sheet is parsed at once), and layout
# detection then record iteration read the same sheet twice: loaded sheets are kept while
# together they are no larger than one sheet may be.
_LARGEST_EXACT_FLOAT = 2.0**53
_ONE_DAY = timedelta(days=1)
_CODEPAGE = re.compile(r"Codepage ([0-9A-Fa-f]+) not found")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def reader_failure(path: Path, error: BaseException) -> ImportFileError:
    """The message for an exception raised inside calamine while it read ``path``."""
    if isinstance(error, calamine.PasswordError):
        return ImportFileError(
            path, "is protected with a password: save an unprotected copy and import that"
        )
    if isinstance(error, calamine.ZipError):
        return ImportFileError(
            path,
            "is damaged or incomplete (perhaps cut short when it was copied): ask for the file "
            "again",
            detail=f"the reader found a broken zip structure: {_one_line(error)}",
        )
    codepage = _CODEPAGE.search(str(error))
    if codepage:
        return ImportFileError(
            path,
            f"uses a character set (code page {int(codepage.group(1), 16)}) that cannot be "
            "read: open it in Excel or LibreOffice and save it as .xlsx",
        )
    if isinstance(error, calamine.XmlError):
        return ImportFileError(
            path,
            f"is damaged and cannot be read; {RESAVE}, or ask for the file again",
            detail=f"the reader found XML it cannot parse: {_one_line(error)}",
        )
    return ImportFileError(
        path,
        f"could not be read, perhaps it is damaged; {RESAVE}, or ask for the file again",
        detail=f"the reader failed: {type(error).__name__}: {_one_line(error)}",
    )


def is_reader_crash(error: BaseException) -> bool:
    """A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException."""
    return type(error).__name__ == "PanicException"


def clean_cell(value: object) -> CellValue:
    """One calamine value in the ``TableSource`` conventions (see the module docstring)."""
    kind = type(value)
    if kind is str:
        text: str = value  # type: ignore[assignment]
        if "\x00" in text:  # NULs from damaged or mis-encoded files mean nothing in a list
            text = text.replace("\x00", "")
        return text or None
    if kind is float:
        number: float = value  # type: ignore[assignment]
        if number.is_integer() and -_LARGEST_EXACT_FLOAT < number < _LARGEST_EXACT_FLOAT:
            return int(number)
        return number
    if kind in (int, bool, date, datetime, time):
        return value  # type: ignore[return-value]
    if kind is timedelta:
        duration: timedelta = value  # type: ignore[assignment]
        if timedelta(0) <= duration < _ONE_DAY:
            return (datetime.min + duration).time()
        return str(duration)
    return None if value is None else str(value)


def clean_row(raw: Iterable[object], leading_empty: int) -> list[CellValue]:
    """A calamine row in the ``TableSource`` conventions, trailing empty cells trimmed.

    Text and numbers (nine cells in ten) are cleaned inline, as ``clean_cell`` would: a
    call per cell is most of the cost of a row.
    """
    row: list[CellValue] = [None] * leading_empty if leading_empty else []
    row += [
        (value or None)
        if type(value) is str and "\x00" not in value
        else (
            int(value)
            if value.is_integer() and -_LARGEST_EXACT_FLOAT < value < _LARGEST_EXACT_FLOAT
            else value
        )
        if type(value) is float
        else clean_cell(value)
        for value in raw
    ]
    while row and row[-1] is None:
        row.pop()
    return row


# calamine picks its reader from the suffix when given a path; from a file object it tries
# each format in turn. A file whose suffix lies about its content is read the second way.
_SUFFIXES = {
    FileKind.XLSX: (".xlsx", ".xlsm"),
    FileKind.XLSB: (".xlsb",),
    FileKind.XLS: (".xls",),
    FileKind.ODS: (".ods",),
}


class WorkbookSource(TableSource):
    """A spreadsheet already checked by ``safety.files``, opened with calamine."""

    def __init__(self, path: Path, kind: FileKind) -> None:
        super().__init__(path)
        self._sheets: OrderedDict[str, calamine.CalamineSheet] = OrderedDict()
        self._handle: BinaryIO | None = None
        try:
            if path.suffix.lower() in _SUFFIXES.get(kind, ()):
                self._workbook = calamine.CalamineWorkbook.from_path(str(path))
            else:
                self._handle = path.open("rb")
                self._workbook = calamine.CalamineWorkbook.from_filelike(self._handle)
            self._metadata = list(self._workbook.sheets_metadata)
        except calamine.CalamineError as error:
            self._close_handle()
            raise reader_failure(path, error) from None
        except BaseException as error:
            self._close_handle()
            if is_reader_crash(error):
                raise reader_failure(path, error) from None
            raise

    def _close_handle(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def sheets(self) -> list[SheetInfo]:
        return [
            SheetInfo(
                name=meta.name,
                index=index,
                visible=meta.visible == calamine.SheetVisibleEnum.Visible,
            )
            for index, meta in enumerate(self._metadata)
            if meta.typ == calamine.SheetTypeEnum.WorkSheet
        ]

    def _load(self, name: str) -> calamine.CalamineSheet:
        if name in self._sheets:
            self._sheets.move_to_end(name)
            return self._sheets[name]
        if name not in {sheet.name for sheet in self.sheets()}:
            raise ImportFileError(
                self.path,
                f"has no sheet named '{name}' (its sheets: "
                + ", ".join(f"'{sheet.name}'" for sheet in self.sheets())
                + ")",
            )
        try:
            sheet = self._workbook.get_sheet_by_name(name)
        except calamine.CalamineError as error:
            raise reader_failure(self.path, error) from None
        except BaseException as error:
            if is_reader_crash(error):
                raise reader_failure(self.path, error) from None
            raise
        self._sheets[name] = sheet
        while len(self._sheets) > 1 and self._cells_kept() > MAX_SHEET_CELLS:
            self._sheets.popitem(last=False)
        return sheet

    def _cells_kept(self) -> int:
        return sum(sheet.height * sheet.width for sheet in self._sheets.values())

    def rows(self, sheet: str) -> Iterator[list[CellValue]]:
        loaded = self._load(sheet)
        start = loaded.start
        if start is None:
            return iter(())
        # iter_rows starts at row 1 but at the first used column: put columns back in place.
        leading_empty = start[1]
        return map(clean_row, loaded.iter_rows(), repeat(leading_empty))

    def close(self) -> None:
        self._sheets.clear()
        with contextlib.suppress(calamine.WorkbookClosed):
            self._workbook.close()
        self._close_handle()
