"""The first rows of a sheet as the spreadsheet shows them, with the header row marked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from lastmile_desktop.ui.import_wizard.columns import column_letter

HEADER_BACKGROUND = QColor("#dcebf3")
ABOVE_HEADER_TEXT = QColor("#a0a6ab")

AnyIndex = QModelIndex | QPersistentModelIndex


class PreviewGridModel(QAbstractTableModel):
    """Read-only; rows are sheet rows from row 1, columns are named A, B, C as in Excel."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[list[str]] = []
        self._width = 0
        self._header_row = 1  # 1-based, like the spreadsheet

    def set_grid(self, rows: list[list[str]], header_row: int) -> None:
        self.beginResetModel()
        self._rows = [list(row) for row in rows]
        self._width = max((len(row) for row in rows), default=0)
        self._header_row = header_row
        self.endResetModel()

    def set_header_row(self, header_row: int) -> None:
        if header_row == self._header_row:
            return
        self._header_row = header_row
        if self._rows and self._width:
            last = self.index(len(self._rows) - 1, self._width - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    @property
    def header_row(self) -> int:
        return self._header_row

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._width

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sheet_row = index.row() + 1
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self._rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.BackgroundRole and sheet_row == self._header_row:
            return QBrush(HEADER_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and sheet_row < self._header_row:
            return QBrush(ABOVE_HEADER_TEXT)
        if role == Qt.ItemDataRole.FontRole and sheet_row == self._header_row:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_letter(section)
        return str(section + 1)
