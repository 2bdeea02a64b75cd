"""Rows that could not be imported: the sheet row number, the reason, and (after the import)
the row's values under the file's own columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from lastmile_desktop.importing.model import RejectedRowsTable, RowProblem

AnyIndex = QModelIndex | QPersistentModelIndex

ROW_COLUMN = 0
REASON_COLUMN = 1
FIRST_VALUE_COLUMN = 2
COLUMN_TITLES = ("Row", "Reason")
# The raw value to order by, where the displayed text would sort wrongly ("10" before "9").
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class RowProblemsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._problems: list[RowProblem] = []
        self._value_columns: tuple[str, ...] = ()
        self._values: list[tuple[str, ...]] = []

    def set_problems(self, problems: list[RowProblem]) -> None:
        """Row and reason only (the check step's first problems)."""
        self.beginResetModel()
        self._problems = list(problems)
        self._value_columns = ()
        self._values = []
        self.endResetModel()

    def set_rejected_rows(self, table: RejectedRowsTable) -> None:
        """Row and reason, then each of the file's columns with what the row held."""
        self.beginResetModel()
        self._problems = [RowProblem(record.row, record.reason) for record in table.rows]
        self._value_columns = table.columns
        self._values = [record.values for record in table.rows]
        self.endResetModel()

    def problems(self) -> list[RowProblem]:
        return list(self._problems)

    def value_columns(self) -> tuple[str, ...]:
        return self._value_columns

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_TITLES) + len(self._value_columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        problem = self._problems[index.row()]
        column = index.column()
        if column >= FIRST_VALUE_COLUMN:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
                return self._values[index.row()][column - FIRST_VALUE_COLUMN]
            return None
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
            if section < len(COLUMN_TITLES):
                return COLUMN_TITLES[section]
            return self._value_columns[section - len(COLUMN_TITLES)]
        return None
