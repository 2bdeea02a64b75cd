"""Writing workbooks and CSV files people build on: fixed sheets, typed cells, safe text.

``WorkbookWriter`` writes an .xlsx with xlsxwriter in constant-memory mode (each row goes to
disk as the next one starts, so 100,000 rows take no more memory than ten). Every data
sheet gets what people expect of a workbook: a bold header row that stays in view, an Excel
table over the data (its own filter buttons, banded rows, a name a formula or Power Query
can refer to), column widths that fit, real dates and times, money and percentages
formatted. Text that a spreadsheet would run as a formula is written as a text cell marked
"quote prefix", so it shows, edits and reads back as the same characters (``safe_cells``).

``write_csv`` writes one sheet as CSV, text guarded the OWASP way (a leading apostrophe).

Both write to a temporary file beside the target and put it in place only when everything
is written (``PartialFile``).
"""

from __future__ import annotations

import csv
import enum
import math
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.utility import xl_range

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.spreadsheets.safe_cells import FORMULA_STARTS, safe_cell
from lastmile_desktop.spreadsheets.sheet_xml import (
    CellXml,
    RowWriter,
    boolean_cell,
    moment_cell,
    number_cell,
    text_cell,
)

# Excel's own limits: rows per sheet and characters in a sheet's name.
MAX_ROWS = 1_048_576
MAX_SHEET_NAME = 31
# Widths are fitted to the header and to this many rows: enough to see what a column holds,
# without measuring every one of 100,000 rows.
WIDTH_SAMPLE_ROWS = 1_000
MAX_WIDTH = 60
_SPACES = re.compile(r"\s+")


class CellKind(enum.Enum):
    """What a column holds; it decides the cell type and the number format."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"  # an amount in currency units (pounds, euros), two decimals
    PERCENT = "percent"  # a fraction: 0.314 shows as 31.4%
    DATE = "date"
    DATETIME = "datetime"  # naive: the local time the reader should see
    BOOLEAN = "boolean"


NUMBER_FORMATS: dict[CellKind, str] = {
    CellKind.INTEGER: "#,##0",
    CellKind.MONEY: "#,##0.00",
    CellKind.PERCENT: "0.0%",
    CellKind.DATE: "yyyy-mm-dd",
    CellKind.DATETIME: "yyyy-mm-dd hh:mm",
}
# Widths that fit the formatted values of a kind, whatever the rows hold.
_KIND_WIDTHS: dict[CellKind, float] = {
    CellKind.DATE: 11,
    CellKind.DATETIME: 17,
    CellKind.PERCENT: 8,
    CellKind.BOOLEAN: 7,
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: CellKind = CellKind.TEXT
    width: float | None = None  # None: fitted to the header and the first rows


Cell = str | int | float | bool | date | datetime | None


def table_titles(titles: Sequence[str]) -> list[str]:
    """Column titles an Excel table accepts: on one line, not empty, unique whatever the case.

    Blank titles become "Column 3" and repeats "Phone (2)", as the import names them.
    """
    result: list[str] = []
    seen: set[str] = set()
    for position, title in enumerate(titles):
        label = _SPACES.sub(" ", title).strip()[:200] or f"Column {position + 1}"
        candidate, copy = label, 2
        while candidate.casefold() in seen:
            candidate, copy = f"{label} ({copy})", copy + 1
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


# ---------------------------------------------------------------------------------------------
# Where the file goes


def check_target(target: Path, suffixes: Sequence[str], what: str) -> None:
    """Refuse a file ``what`` cannot be saved to, before any work is done."""
    names = " or ".join(suffixes)
    if target.suffix.lower() not in suffixes:
        raise UserFacingError(
            f"{target.name}: {what} can be saved as {names}; choose one of those."
        )
    if target.is_dir():
        raise UserFacingError(f"{target} is a folder: give a file name ending in {names}.")
    if not target.parent.is_dir():
        raise UserFacingError(
            f"The folder {target.parent} does not exist: create it, or choose another folder "
            f"for {target.name}."
        )


def cannot_write(target: Path, error: BaseException) -> UserFacingError:
    """The sentence for a file the system would not let us write."""
    # xlsxwriter wraps the operating system's error; the reason is in the original.
    cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error
    reason = getattr(cause, "strerror", None) or cause
    return UserFacingError(
        f"{target.name} could not be written ({reason}): close it if it is open in another "
        "program, or choose a folder where you can write."
    )


class PartialFile:
    """A temporary file beside ``target``: ``commit`` puts it in the target's place,
    ``discard`` removes it. An export that fails or is cancelled thus leaves no file, and
    never a half-written one over an older export."""

    def __init__(self, target: Path) -> None:
        self.target = target
        # Created like any new file (not mkstemp's private mode): the export keeps it.
        while True:
            name = f".{target.stem}.{secrets.token_hex(4)}.partial{target.suffix}"
            self.path = target.with_name(name)
            try:
                self.path.open("xb").close()
            except FileExistsError:
                continue
            except OSError as error:
                raise cannot_write(target, error) from None
            return

    def commit(self) -> None:
        try:
            self.path.replace(self.target)
        except OSError as error:
            self.discard()
            raise cannot_write(self.target, error) from None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Workbooks


@dataclass(frozen=True)
class WrittenSheet:
    """Where a data sheet's rows are: for charts that refer to them."""

    name: str
    columns: tuple[Column, ...]
    rows: int


class WorkbookWriter:
    """One .xlsx being written; sheets appear in the order they are added.

    Use it as a context manager: the workbook is put in place when the block ends normally,
    and thrown away (no file left) when it ends with an exception, ``Cancelled`` included.
    """

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        check_target(self.target, (".xlsx",), "a workbook")
        self._partial = PartialFile(self.target)
        # Constant-memory mode keeps each sheet's rows in a temporary file until the end.
        self._scratch = tempfile.TemporaryDirectory(
            prefix="lastmile-export-", ignore_cleanup_errors=True
        )
        self.book = xlsxwriter.Workbook(
            str(self._partial.path), {"constant_memory": True, "tmpdir": self._scratch.name}
        )
        self._bold = self.book.add_format({"bold": True})
        self._bold_text = self.book.add_format({"bold": True, "quote_prefix": True})
        self._text = self.book.add_format({"quote_prefix": True})
        self._wrapped = self.book.add_format({"text_wrap": True, "valign": "top"})
        self._formats = {
            kind: self.book.add_format({"num_format": number_format})
            for kind, number_format in NUMBER_FORMATS.items()
        }

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def close(self) -> None:
        """Write the workbook and put it in place of the target."""
        try:
            self.book.close()
        except BaseException as error:
            self._partial.discard()
            self._scratch.cleanup()
            if isinstance(error, OSError | xlsxwriter.exceptions.FileCreateError):
                raise cannot_write(self.target, error) from None
            raise
        self._scratch.cleanup()
        self._partial.commit()

    def discard(self) -> None:
        """Throw the unfinished workbook away: no file is left, the target is untouched."""
        # The sheets' row files must be closed before their folder can go (Windows).
        for sheet in self.book.worksheets():
            row_file = getattr(sheet, "row_data_fh", None)
            if row_file is not None:
                row_file.close()
        self.book.fileclosed = True  # nothing to save: xlsxwriter need not warn at exit
        self._scratch.cleanup()
        self._partial.discard()

    # -- sheets ------------------------------------------------------------------------------
    def add_data_sheet(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Cell]],
        *,
        table: str,
        on_rows: Callable[[int], None] | None = None,
        report_every: int = 1_000,
    ) -> WrittenSheet:
        """A sheet with a header row and ``rows`` below it, as an Excel table named ``table``.

        Each row holds one value per column, of the column's kind (``None``: empty).
        ``on_rows(n)`` is called with the rows written so far every ``report_every`` rows; it
        may raise (``Cancelled``) to stop.
        """
        sheet = self.book.add_worksheet(name[:MAX_SHEET_NAME])
        titles = table_titles([column.title for column in columns])
        columns = tuple(
            Column(title, column.kind, column.width)
            for title, column in zip(titles, columns, strict=True)
        )
        last_column = len(columns) - 1
        # The table is declared before any row is written, over the header and one row (the
        # header cells it writes are row 1); its range is stretched over the rows at the end.
        # xlsxwriter refuses tables in constant-memory mode because it would track every cell
        # of the range; declared this way it tracks two rows.
        sheet.constant_memory = False
        try:
            sheet.add_table(
                0,
                0,
                1,
                last_column,
                {
                    "name": table,
                    "style": "Table Style Medium 2",
                    "columns": [{"header": title} for title in titles],
                },
            )
        finally:
            sheet.constant_memory = True
        # The header again, as the inline text constant-memory rows are made of.
        for position, title in enumerate(titles):
            sheet.write_string(0, position, title, self._guarded(title, self._bold))
        sheet.freeze_panes(1, 0)

        rows_out = RowWriter(sheet, [self._cell_xml(column.kind) for column in columns])
        widths = [len(title) + 3.0 for title in titles]  # room for the filter button
        written = 0
        for values in rows:
            written += 1
            if written >= MAX_ROWS:
                raise UserFacingError(
                    f'The sheet "{name}" would have more rows than Excel can hold '
                    f"({MAX_ROWS - 1:,}): export one store at a time."
                )
            if len(values) != len(columns):
                raise ValueError(f"row {written} of {name} has {len(values)} values")
            rows_out.write(written, values)
            if written <= WIDTH_SAMPLE_ROWS:
                for position, value in enumerate(values):
                    if isinstance(value, str):
                        widths[position] = max(widths[position], len(value) + 1.0)
            if written % report_every == 0 and on_rows is not None:
                on_rows(written)
        rows_out.finish()
        if on_rows is not None:
            on_rows(written)

        for position, column in enumerate(columns):
            fitted = min(max(_KIND_WIDTHS.get(column.kind, 0), widths[position]), MAX_WIDTH)
            sheet.set_column(
                position, position, max(column.width or fitted, len(titles[position]) + 3)
            )
        table_range = xl_range(0, 0, max(written, 1), last_column)
        declared = sheet.tables[-1]
        declared["range"] = declared["a_range"] = declared["autofilter"] = table_range
        return WrittenSheet(sheet.name, columns, written)

    def add_notes_sheet(self, name: str, lines: Sequence[tuple[str, str]]) -> None:
        """Two columns of plain words, the first bold: a sheet that explains the others."""
        sheet = self.book.add_worksheet(name[:MAX_SHEET_NAME])
        sheet.set_column(0, 0, max([len(key) for key, _ in lines] + [10]) + 2, self._bold)
        sheet.set_column(1, 1, 100, self._wrapped)
        for row, (key, text) in enumerate(lines):
            if key:
                sheet.write_string(row, 0, key, self._guarded(key, self._bold))
            if text:
                sheet.write_string(row, 1, text, self._guarded(text, self._wrapped))

    def add_bar_chart(
        self,
        sheet: WrittenSheet,
        *,
        title: str,
        categories: str,
        values: Sequence[str],
        number_format: str = NUMBER_FORMATS[CellKind.PERCENT],
    ) -> None:
        """A horizontal bar chart beside ``sheet``'s table: one bar per row for each column
        in ``values``, the rows named by the column ``categories``."""
        if sheet.rows == 0:
            return
        titles = [column.title for column in sheet.columns]
        chart = self.book.add_chart({"type": "bar"})
        category = titles.index(categories)
        for series in values:
            column = titles.index(series)
            chart.add_series(
                {
                    "name": [sheet.name, 0, column],
                    "categories": [sheet.name, 1, category, sheet.rows, category],
                    "values": [sheet.name, 1, column, sheet.rows, column],
                    "gap": 60,
                }
            )
        chart.set_title({"name": title})
        chart.set_x_axis({"num_format": number_format, "min": 0})
        # The first row at the top, as in the table.
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 160 + 14 * len(values) * sheet.rows})
        worksheet = self.book.get_worksheet_by_name(sheet.name)
        assert worksheet is not None
        worksheet.insert_chart(sheet.rows + 3, 0, chart)

    def activate(self, name: str) -> None:
        """The sheet the workbook opens on."""
        worksheet = self.book.get_worksheet_by_name(name)
        assert worksheet is not None
        worksheet.activate()

    # -- cells -------------------------------------------------------------------------------
    def _guarded(self, text: str, plain: Any) -> Any:
        """The format for ``text``: marked as text when a spreadsheet would run it."""
        if not text.startswith(FORMULA_STARTS):
            return plain
        return self._bold_text if plain is self._bold else self._text

    def _cell_xml(self, kind: CellKind) -> CellXml:
        """How a value of ``kind`` becomes its cell (called for every cell)."""
        number_format = self._formats.get(kind)
        style = None if number_format is None else number_format._get_xf_index()
        if kind is CellKind.TEXT:
            return text_cell(None, self._text._get_xf_index())
        if kind is CellKind.BOOLEAN:
            return boolean_cell
        if kind in (CellKind.DATE, CellKind.DATETIME):
            return moment_cell(style)
        return number_cell(style)


# ---------------------------------------------------------------------------------------------
# CSV


def csv_text(value: Cell, kind: CellKind) -> str:
    """One value as a CSV cell: text guarded against formulas, dates in ISO form, rates as
    fractions (as the JSON gives them), booleans as Excel reads them."""
    if value is None:
        return ""
    if kind is CellKind.TEXT:
        return safe_cell(str(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if kind is CellKind.MONEY:
        return f"{value:.2f}"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return str(value)


def write_csv(
    target: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    *,
    on_rows: Callable[[int], None] | None = None,
    report_every: int = 1_000,
) -> int:
    """``rows`` under a header as a CSV file (UTF-8 with a byte order mark, so Excel reads
    accented names); returns the rows written. Left in place only when all is written."""
    target = Path(target)
    check_target(target, (".csv",), "a CSV export")
    kinds = [column.kind for column in columns]
    written = 0
    partial = PartialFile(target)
    try:
        # UTF-8 with a byte order mark: Excel then opens accented names correctly.
        with partial.path.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([safe_cell(column.title) for column in columns])
            for values in rows:
                out.writerow(
                    [csv_text(value, kind) for value, kind in zip(values, kinds, strict=True)]
                )
                written += 1
                if written % report_every == 0 and on_rows is not None:
                    on_rows(written)
    except BaseException as error:
        partial.discard()
        if isinstance(error, OSError):
            raise cannot_write(target, error) from None
        raise
    partial.commit()
    if on_rows is not None:
        on_rows(written)
    return written
