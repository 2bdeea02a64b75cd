"""The one shape every reader hands rows through, whatever the file format."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo


class TableSource(abc.ABC):
    """An opened spreadsheet or CSV file: its sheets, and each sheet's rows from row 1.

    Rows come raw: empty cells are ``None``, trailing empty cells are trimmed (a blank row is
    ``[]``), formulas are their cached results, date cells are ``date``/``datetime``, numbers
    are ``int`` when integral else ``float``, text is ``str`` as typed (NUL characters
    dropped). Column 0 is
    column A, so positions match the letters the user sees. Use it as a context manager.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @abc.abstractmethod
    def sheets(self) -> list[SheetInfo]:
        """The worksheets in workbook order (chart sheets and macro sheets are left out)."""

    @abc.abstractmethod
    def rows(self, sheet: str) -> Iterator[list[CellValue]]:
        """Every row of ``sheet`` from row 1 to its last row holding a value.

        Raises ``ImportFileError`` when the sheet is missing or unreadable. Each call starts
        again at row 1.
        """

    def close(self) -> None:
        """Let go of the file. Closing twice is harmless."""
        return  # readers holding no open handle have nothing to release

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
