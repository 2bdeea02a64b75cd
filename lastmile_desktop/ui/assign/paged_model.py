"""A table model that pages rows in from a service as the view scrolls.

Sorting and filtering happen in SQL (the service's job): the model only remembers the sort
the user asked for, fetches the first page, and fetches the next page when the view asks
(``canFetchMore``/``fetchMore``). No proxy model ever holds the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

# The raw value a column sorts by (a number or date rather than its formatted text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200

AnyIndex = QModelIndex | QPersistentModelIndex

# Built once: views ask for these thousands of times per repaint.
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemNeverHasChildren
    | Qt.ItemFlag.ItemIsDragEnabled
)


class RowSource(Protocol[R_co]):
    """Where rows come from: a count and one page at a time, already filtered in SQL."""

    def count(self) -> int: ...

    def page(
        self, offset: int, limit: int, sort_column: int, descending: bool
    ) -> Sequence[R_co]: ...


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    display: Callable[[R], str]
    sort_value: Callable[[R], object]
    numeric: bool = False  # right-aligned
    sortable: bool = True
    tooltip: str = ""


class EmptySource(Generic[R]):
    def count(self) -> int:
        return 0

    def page(self, offset: int, limit: int, sort_column: int, descending: bool) -> Sequence[R]:
        return []


class PagedTableModel(QAbstractTableModel, Generic[R]):
    # The total number of rows matching the current filter changed (after a reload).
    total_changed = Signal(int)
    # The user asked for another sort; emitted after the rows were reloaded.
    sorted = Signal(int, Qt.SortOrder)

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        default_sort: int = 0,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.page_size = page_size
        self.sort_column = default_sort
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._source: RowSource[R] = EmptySource()
        self._rows: list[R] = []
        self._total = 0
        self._resetting = False

    # -- loading ----------------------------------------------------------------------------
    def set_source(self, source: RowSource[R]) -> None:
        """Show another filtered list (a new filter, campaign or profile)."""
        self._source = source
        self.reload()

    def reload(self) -> None:
        # Slots of modelReset may ask for more rows while the reset is still being announced;
        # they get none until it is over (views ask again when they lay the rows out).
        self._resetting = True
        try:
            self.beginResetModel()
            self._total = self._source.count()
            self._rows = list(self._fetch(0))
            self.endResetModel()
        finally:
            self._resetting = False
        self.total_changed.emit(self._total)

    def _fetch(self, offset: int) -> Sequence[R]:
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        return self._source.page(offset, self.page_size, self.sort_column, descending)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._resetting and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._resetting:
            return
        more = list(self._fetch(len(self._rows)))
        if not more:
            # The list shrank under us (someone else reassigned rows): stop asking for more.
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self.sort_column = column
        self.sort_order = order
        self.reload()
        self.sorted.emit(column, order)

    # -- reading ----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows matching the filter, including those not fetched yet."""
        return self._total

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def loaded_rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            # The tooltip repeats the text, for cells too narrow to show all of it.
            return column.display(row)
        if role == SORT_ROLE:
            return column.sort_value(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.numeric else _LEFT
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS


class ListSource(Generic[R]):
    """For short lists that are already in memory (campaigns, stores): sorted here."""

    def __init__(self, rows: Sequence[R], columns: Sequence[Column[R]]) -> None:
        self._rows = list(rows)
        self._columns = columns

    def count(self) -> int:
        return len(self._rows)

    def page(self, offset: int, limit: int, sort_column: int, descending: bool) -> Sequence[R]:
        key = self._columns[sort_column].sort_value
        ordered = sorted(self._rows, key=lambda row: _sortable(key(row)), reverse=descending)
        return ordered[offset : offset + limit]


def _sortable(value: object) -> tuple[bool, Any]:
    # None sorts last when ascending; text sorts without regard to case.
    if isinstance(value, str):
        return (False, value.casefold())
    return (value is None, value if value is not None else 0)
