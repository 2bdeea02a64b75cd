"""Rows that could not be imported: the sheet row number and the reason, as a table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from lastmile_desktop.importing.model import RowProblem

AnyIndex = QModelIndex | QPersistentModelIndex

ROW_COLUMN = 0
REASON_COLUMN = 1
COLUMN_TITLES = ("Row", "Reason")
# The raw value to order by, where the displayed text would sort wrongly ("10" before "9").
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class RowProblemsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._problems: list[RowProblem] = []

    def set_problems(self, problems: list[RowProblem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def problems(self) -> list[RowProblem]:
        return list(self._problems)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        problem = self._problems[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(problem.row) if column == ROW_COLUMN else problem.reason
        if role == SORT_ROLE:
            return problem.row if column == ROW_COLUMN else problem.reason
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ROW_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMN_TITLES[section]
        return None
