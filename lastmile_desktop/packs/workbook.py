"""What every pack file looks like, written and read: one definition for all four commands.

A pack is an .xlsx workbook (``spreadsheets.writing``: xlsxwriter, safe cells, a table per
sheet). Its first sheet, "Pack", says what the file is, in two columns of plain words:

    Kind                 Store pack            (or Store results)
    Format version       1
    Campaign             Spring win-back
    Campaign UUID        8c0f...-...
    Store                Leeds (12)
    Store code           12
    Exported at (UTC)    2026-03-02T09:15:04.123456+00:00
    Exported by          Regional lead

then a line per data sheet saying what it holds ("Members (sheet)"). Each data sheet holds
one kind of record, one per row under a header row, its columns found by their titles (their
order does not matter). Values follow fixed conventions, so the file reads back exactly what
was written:

- UUIDs as text (``uuid_cell``); a record is recognised by its UUID on the other side;
- times as ISO 8601 text in UTC, to the microsecond (``time_cell``): a spreadsheet's date
  serial is a float and would move a time by a microsecond or two, and a merge compares
  times for equality; their column titles end in "(UTC)";
- dates as real date cells, counts as integers, money in currency units (two decimals),
  yes/no as booleans, everything else as text (text that a spreadsheet would run as a
  formula is written so it stays text).

``PackReader`` opens a file through the same hostile-file checks as any import, refuses a
file that is not a pack, or is a pack of the other kind, or of a newer format, with one
plain sentence, and hands each data row over as a ``PackRow`` whose typed accessors raise
``PackRowError`` with the reason a row is rejected.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.spreadsheets.layout import cell_text
from lastmile_desktop.spreadsheets.readers import file_sha256, open_source
from lastmile_desktop.spreadsheets.table_source import TableSource
from lastmile_desktop.spreadsheets.writing import Cell, Column, WorkbookWriter
from lastmile_desktop.storage.models import Campaign

PACK_INFO_SHEET = "Pack"
# Raised when a pack's layout changes in a way an older version could misread.
PACK_FORMAT_VERSION = 1
UTC_SUFFIX = " (UTC)"


class PackKind(enum.StrEnum):
    STORE_PACK = "Store pack"  # the region's work for one store: lead -> store's PC
    STORE_RESULTS = "Store results"  # the calls made at a store: store's PC -> lead

    @property
    def noun(self) -> str:
        return _NOUNS[self]

    @property
    def how_to_import(self) -> str:
        """Where a file of this kind goes, for the sentence refusing it elsewhere."""
        return _HOW_TO_IMPORT[self]


_NOUNS = {
    PackKind.STORE_PACK: "a store pack",
    PackKind.STORE_RESULTS: "a store results file",
}
_HOW_TO_IMPORT = {
    PackKind.STORE_PACK: (
        "import it on the store's PC with File > Store packs > Import store pack... "
        "(lastmile import-pack)"
    ),
    PackKind.STORE_RESULTS: (
        "the regional lead imports it with File > Store packs > Import store results... "
        "(lastmile import-results)"
    ),
}

_MADE_BY = {
    PackKind.STORE_PACK: (
        "a store pack is made by the regional lead with File > Export store pack... "
        "(lastmile export-pack)"
    ),
    PackKind.STORE_RESULTS: (
        "a store results file is made on the store's PC with File > Export results for the "
        "region... (lastmile export-results)"
    ),
}

# The lines of the Pack sheet, in order.
KIND = "Kind"
FORMAT_VERSION = "Format version"
CAMPAIGN = "Campaign"
CAMPAIGN_UUID = "Campaign UUID"
STORE = "Store"
STORE_CODE = "Store code"
EXPORTED_AT = "Exported at" + UTC_SUFFIX
EXPORTED_BY = "Exported by"
SHEETS_HEADING = ("Sheet", "What it holds")


@dataclass(frozen=True)
class PackInfo:
    """What the Pack sheet says: which kind of pack, for which campaign and store, when."""

    kind: PackKind
    campaign_uuid: uuid.UUID
    campaign: str  # the campaign's name
    store_code: str
    store: str  # the store's name
    exported_at: datetime  # aware, UTC
    exported_by: str  # the profile's name
    format_version: int = PACK_FORMAT_VERSION

    def lines(self) -> list[tuple[str, str]]:
        return [
            (KIND, self.kind.value),
            (FORMAT_VERSION, str(self.format_version)),
            (CAMPAIGN, self.campaign),
            (CAMPAIGN_UUID, str(self.campaign_uuid)),
            (STORE, self.store),
            (STORE_CODE, self.store_code),
            (EXPORTED_AT, time_text(self.exported_at)),
            (EXPORTED_BY, self.exported_by),
        ]

    @classmethod
    def for_campaign(
        cls,
        kind: PackKind,
        campaign: Campaign,
        *,
        store_code: str,
        store: str,
        exported_at: datetime,
        exported_by: str,
    ) -> PackInfo:
        return cls(kind, campaign.uuid, campaign.name, store_code, store, exported_at, exported_by)


@dataclass(frozen=True)
class PackSheet:
    """A data sheet of a pack: its name, its Excel table's name and what it holds."""

    name: str
    description: str

    @property
    def table(self) -> str:
        return "".join(word.capitalize() for word in self.name.split())


@dataclass(frozen=True)
class RejectedPackRow:
    """A row an import turned away, and why."""

    sheet: str
    row: int  # as the spreadsheet shows it: the header is row 1
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}


class PackRowError(Exception):
    """A value a row cannot be imported with; ``reason`` says which and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# Cells


def uuid_cell(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def time_text(value: datetime) -> str:
    """A time as a pack writes it: ISO 8601 in UTC, to the microsecond."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a pack; attach a time zone first")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def time_cell(value: datetime | None) -> str | None:
    return None if value is None else time_text(value)


def money_cell(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


# ---------------------------------------------------------------------------------------------
# Writing


class PackWriter:
    """A pack being written: the Pack sheet first, then each data sheet as it is added.

    Use it as a context manager: the file is put in place when the block ends normally and
    none is left when it ends with an exception (``Cancelled`` included).
    """

    def __init__(self, target: Path, info: PackInfo, sheets: Sequence[PackSheet]) -> None:
        self.info = info
        self._workbook = WorkbookWriter(Path(target))
        lines = info.lines()
        lines += [("", ""), SHEETS_HEADING]
        # "Members (sheet)": the sheets' names would read as the lines above ("Campaign").
        lines += [(f"{sheet.name} (sheet)", sheet.description) for sheet in sheets]
        self._workbook.add_notes_sheet(PACK_INFO_SHEET, lines)
        self.rows: dict[str, int] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._workbook.__exit__(exc_type, exc, traceback)

    def add_sheet(
        self,
        sheet: PackSheet,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Cell]],
        *,
        on_rows: Callable[[int], None] | None = None,
    ) -> int:
        """``rows`` under a header of ``columns``; returns how many were written."""
        written = self._workbook.add_data_sheet(
            sheet.name, columns, rows, table=sheet.table, on_rows=on_rows
        ).rows
        self.rows[sheet.name] = written
        return written

    def open_on(self, sheet: PackSheet) -> None:
        """The sheet the workbook opens on in a spreadsheet program."""
        self._workbook.activate(sheet.name)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class PackRow:
    """One data row of a pack sheet, its values by column title."""

    sheet: str
    row: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, CellValue]

    def _raw(self, column: str) -> CellValue:
        value = self.values.get(column)
        return None if isinstance(value, str) and not value.strip() else value

    def _bad(self, column: str, value: CellValue, what: str) -> PackRowError:
        return PackRowError(f'{column}: "{cell_text(value)}" is not {what}')

    def text(self, column: str) -> str | None:
        """The text as written (numbers read back as they were typed: "12", not "12.0")."""
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return cell_text(value)

    def required_text(self, column: str) -> str:
        value = self.text(column)
        if value is None or not value.strip():
            raise PackRowError(f"{column} is empty")
        return value

    def optional_uuid(self, column: str) -> uuid.UUID | None:
        value = self._raw(column)
        if value is None:
            return None
        try:
            return uuid.UUID(str(value).strip())
        except ValueError:
            raise self._bad(column, value, "a UUID") from None

    def uuid(self, column: str) -> uuid.UUID:
        value = self.optional_uuid(column)
        if value is None:
            raise PackRowError(f"{column} is empty")
        return value

    def integer(self, column: str) -> int | None:
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._bad(column, value, "a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise self._bad(column, value, "a whole number")

    def number(self, column: str) -> float | None:
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise self._bad(column, value, "a number") from None
        else:
            raise self._bad(column, value, "a number")
        if not math.isfinite(number):
            raise self._bad(column, value, "a number")
        return number

    def money_cents(self, column: str) -> int | None:
        """An amount in currency units (12.5) as whole cents (1250)."""
        amount = self.number(column)
        return None if amount is None else round(amount * 100)

    def boolean(self, column: str) -> bool | None:
        value = self._raw(column)
        if value is None or isinstance(value, bool):
            return value
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        answer = words.get(cell_text(value).strip().casefold())
        if answer is None:
            raise self._bad(column, value, "yes or no (TRUE or FALSE)")
        return answer

    def day(self, column: str) -> date | None:
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self._bad(column, value, "a date (2026-03-14)")

    def time(self, column: str) -> datetime | None:
        """An aware UTC time, from the text ``time_cell`` writes (or a date cell, as UTC)."""
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                raise self._bad(column, value, "a time (2026-03-14T17:30:00+00:00)") from None
        else:
            raise self._bad(column, value, "a time (2026-03-14T17:30:00+00:00)")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


class PackReader:
    """An opened pack file of the ``expected`` kind; refuses any other file in one sentence.

    The file goes through the import's hostile-file checks first (``ImportFileError``).
    Use it as a context manager.
    """

    def __init__(self, path: Path, expected: PackKind) -> None:
        self.path = Path(path)
        self.expected = expected
        self.sha256 = file_sha256(self.path)
        self._source: TableSource = open_source(self.path)
        try:
            self._sheets = [sheet.name for sheet in self._source.sheets()]
            self.info = self._read_info()
        except BaseException:
            self._source.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._source.close()

    def _refuse(self, problem: str) -> UserFacingError:
        return UserFacingError(f"{self.path.name} {problem}")

    def _read_info(self) -> PackInfo:
        expected = self.expected
        if PACK_INFO_SHEET not in self._sheets:
            self._not_a_pack()
        lines: dict[str, str] = {}
        for row in self._source.rows(PACK_INFO_SHEET):
            if len(row) >= 2 and row[0] is not None and row[1] is not None:
                lines.setdefault(cell_text(row[0]).strip(), cell_text(row[1]).strip())
        kind_text = lines.get(KIND, "")
        kinds = {kind.value.casefold(): kind for kind in PackKind}
        kind = kinds.get(kind_text.casefold())
        if kind is None:
            self._not_a_pack()
        if kind is not expected:
            raise self._refuse(f"is {kind.noun}, not {expected.noun}: {kind.how_to_import}.")
        version = lines.get(FORMAT_VERSION, "")
        if not version.isdigit():
            raise self._damaged(FORMAT_VERSION)
        if int(version) > PACK_FORMAT_VERSION:
            raise self._refuse(
                f"was made by a newer version of Last Mile (pack format {version}; this one "
                f"reads up to {PACK_FORMAT_VERSION}): install the newer version, then import "
                "it again."
            )
        try:
            campaign_uuid = uuid.UUID(lines.get(CAMPAIGN_UUID, ""))
        except ValueError:
            raise self._damaged(CAMPAIGN_UUID) from None
        try:
            exported_at = datetime.fromisoformat(lines.get(EXPORTED_AT, ""))
        except ValueError:
            raise self._damaged(EXPORTED_AT) from None
        if exported_at.tzinfo is None:
            exported_at = exported_at.replace(tzinfo=UTC)
        store_code = lines.get(STORE_CODE, "")
        if not store_code:
            raise self._damaged(STORE_CODE)
        return PackInfo(
            kind=kind,
            campaign_uuid=campaign_uuid,
            campaign=lines.get(CAMPAIGN, "") or str(campaign_uuid),
            store_code=store_code,
            store=lines.get(STORE, "") or store_code,
            exported_at=exported_at.astimezone(UTC),
            exported_by=lines.get(EXPORTED_BY, ""),
            format_version=int(version),
        )

    def _not_a_pack(self) -> NoReturn:
        raise self._refuse(
            f"is not {self.expected.noun} made by Last Mile (it has no Pack sheet saying so). "
            "A customer list is imported with File > Import a customer list..., a sales "
            f"extract with File > Import sales from the till...; {_MADE_BY[self.expected]}."
        )

    def _damaged(self, line: str) -> UserFacingError:
        return self._refuse(
            f'is damaged: its Pack sheet has no valid "{line}". Ask for the file again.'
        )

    def _header(self, sheet: str, rows: Iterator[list[CellValue]]) -> list[str]:
        if sheet not in self._sheets:
            raise self._refuse(
                f'has no sheet "{sheet}", which {self.expected.noun} always has: it was changed '
                "after it was made. Ask for the file again."
            )
        first = next(rows, [])
        return [cell_text(value).strip() if value is not None else "" for value in first]

    def rows(self, sheet: str, columns: Sequence[str]) -> Iterator[PackRow]:
        """The data rows of ``sheet`` (blank rows skipped); every title of ``columns`` must
        be in its header row."""
        rows = self._source.rows(sheet) if sheet in self._sheets else iter(())
        header = self._header(sheet, rows)
        missing = [column for column in columns if column not in header]
        if missing:
            names = ", ".join(f'"{column}"' for column in missing)
            raise self._refuse(
                f'has lost columns of its sheet "{sheet}" ({names}): it was changed after it '
                "was made. Ask for the file again."
            )
        positions = [(column, header.index(column)) for column in columns]
        for index, row in enumerate(rows, start=2):
            if not any(value is not None for value in row):
                continue
            values = {
                column: row[position] if position < len(row) else None
                for column, position in positions
            }
            yield PackRow(sheet, index, values)

    def titles(self, sheet: str) -> list[str]:
        """The titles of ``sheet``'s header row (to find columns a pack adds, such as the
        customer list's own columns)."""
        rows = self._source.rows(sheet) if sheet in self._sheets else iter(())
        return [title for title in self._header(sheet, rows) if title]

    def count(self, sheet: str) -> int:
        """How many data rows ``sheet`` holds (for a progress bar's total)."""
        if sheet not in self._sheets:
            return 0
        rows = self._source.rows(sheet)
        next(rows, None)
        return sum(1 for row in rows if any(value is not None for value in row))
