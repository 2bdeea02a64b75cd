"""The store table: every store's figures over the period, sortable by any column.

Rows come from ``leaderboard()`` in its order (ranked best first, then "too few to rank");
sorting happens here, on the 12 to 60 rows the service returned. Each rate is shown with
its 95% interval. The chosen rate's column is bold, the viewer's own store too, and each
store carries the colour of its line in the trend chart, so the table is the chart's key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap

from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.model import Figures, StoreRow
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.ui.assign.paged_model import Column, ListSource, PagedTableModel
from lastmile_desktop.ui.leaderboard import wording

COLUMN_RANK = 0
COLUMN_STORE = 1
# The five rates follow the store, in Rate's order.
RATE_COLUMNS: dict[Rate, int] = {rate: 2 + index for index, rate in enumerate(Rate)}
SWATCH_SIZE = 10
R = TypeVar("R")
RANKED_MARK = "(ranked)"  # after the chosen rate's title


@dataclass(frozen=True)
class FigureColumn(Generic[R]):
    column: Column[R]
    figure: Figure  # whose customers a drill-down from this column lists
    tooltip: Callable[[R], str] | None = None


def rate_columns(figures_of: Callable[[R], Figures]) -> list[FigureColumn[R]]:
    """The five rates with their intervals, in Rate's order."""

    def column(rate: Rate) -> FigureColumn[R]:
        def value(row: R) -> float | None:
            return figures_of(row).rates[rate].value

        return FigureColumn(
            Column(
                rate.label,
                lambda row: wording.rate_with_interval(figures_of(row).rates[rate]),
                value,
                numeric=True,
                tooltip=f"{rate.label}, with its 95% interval in brackets",
            ),
            rate.numerator,
            lambda row: wording.rate_tooltip(rate.label, figures_of(row).rates[rate]),
        )

    return [column(rate) for rate in Rate]


def count_columns(figures_of: Callable[[R], Figures]) -> list[FigureColumn[R]]:
    """The counts behind the rates, then money, overdue callbacks and speed."""

    def counted(
        title: str, value: Callable[[Figures], int], figure: Figure, tip: str
    ) -> FigureColumn[R]:
        return FigureColumn(
            Column(
                title,
                lambda row: wording.count(value(figures_of(row))),
                lambda row: value(figures_of(row)),
                numeric=True,
                tooltip=tip,
            ),
            figure,
        )

    return [
        counted("Assigned", lambda f: f.assigned, Figure.ASSIGNED, "Call-group customers"),
        counted(
            "Called",
            lambda f: f.attempted,
            Figure.ATTEMPTED,
            "Customers called at least once in the period",
        ),
        counted("Calls", lambda f: f.attempts, Figure.ATTEMPTED, "Calls logged in the period"),
        counted("Reached", lambda f: f.reached, Figure.REACHED, "Customers reached on a call"),
        counted(
            "Accepted",
            lambda f: f.accepted,
            Figure.ACCEPTED,
            "Customers whose latest reached outcome is Accepted offer",
        ),
        counted(
            "Won back",
            lambda f: f.won_back,
            Figure.WON_BACK,
            "Customers whose first purchase in their attribution window falls in the period",
        ),
        FigureColumn(
            Column(
                "Revenue won back",
                lambda row: wording.money(figures_of(row).revenue_won_back_cents),
                lambda row: figures_of(row).revenue_won_back_cents,
                numeric=True,
                tooltip="What the won-back customers spent inside their window",
            ),
            Figure.WON_BACK,
        ),
        counted(
            "Stayed back",
            lambda f: f.stayed_back,
            Figure.STAYED_BACK,
            "Won-back customers who bought again on a later day within 60 days",
        ),
        counted(
            "Overdue callbacks",
            lambda f: f.overdue_callbacks,
            Figure.OVERDUE_CALLBACKS,
            "Callbacks due before the period's end and not made",
        ),
        FigureColumn(
            Column(
                "Days to first call",
                lambda row: wording.days(figures_of(row).speed_to_first_call_days),
                lambda row: figures_of(row).speed_to_first_call_days,
                numeric=True,
                tooltip="Median days from assignment to the first call",
            ),
            Figure.ATTEMPTED,
        ),
    ]


def store_columns() -> list[FigureColumn[StoreRow]]:
    def figures(row: StoreRow) -> Figures:
        return row.figures

    columns: list[FigureColumn[StoreRow]] = [
        FigureColumn(
            Column(
                "Rank",
                lambda row: wording.rank_text(row.rank),
                lambda row: row.rank,
                numeric=True,
                tooltip="By the lower end of the chosen rate's 95% interval",
            ),
            Figure.ASSIGNED,
            lambda row: wording.TOO_FEW_TIP if row.rank is None else "",
        ),
        FigureColumn(
            Column("Store", lambda row: row.store, lambda row: row.store), Figure.ASSIGNED
        ),
        *rate_columns(figures),
        *count_columns(figures),
        FigureColumn(
            Column(
                "Lift vs holdout (points)",
                lambda row: wording.lift_cell(row.lift),
                lambda row: row.lift.points,
                numeric=True,
                tooltip=(
                    "Return rate of the call group minus the holdout's, in percentage points, "
                    "with its 95% interval"
                ),
            ),
            Figure.CALL_RETURNED,
            lambda row: row.lift.note or "",
        ),
    ]
    return columns


class FigureTableModel(PagedTableModel[R]):
    """Rows of figures (stores or managers) in memory, sorted here; tooltips per cell."""

    def __init__(self, columns: list[FigureColumn[R]], parent: Any = None) -> None:
        self.figure_columns = columns
        super().__init__([c.column for c in columns], default_sort=0, parent=parent)
        self.bold = QFont()
        self.bold.setBold(True)

    def show_rows(self, rows: list[R]) -> None:
        self.set_source(ListSource(rows, self.columns))

    def figure_of(self, column: int) -> Figure | None:
        if 0 <= column < len(self.figure_columns):
            return self.figure_columns[column].figure
        return None

    def is_bold(self, row: R, column: int) -> bool:
        return False

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.FontRole:
            return self.bold if self.is_bold(row, index.column()) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tooltip = self.figure_columns[index.column()].tooltip
            text = tooltip(row) if tooltip is not None else ""
            return text or super().data(index, Qt.ItemDataRole.DisplayRole)
        return super().data(index, role)


class StoreTableModel(FigureTableModel[StoreRow]):
    """The leaderboard's rows; ``show`` puts a new board in, keeping the user's sort."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(store_columns(), parent=parent)
        self.rate = Rate.WIN_BACK_RATE
        self._swatches: dict[str, QIcon] = {}

    def show(self, rows: list[StoreRow], rate: Rate, colours: dict[str, QColor]) -> None:
        self.rate = rate
        self._swatches = {store: _swatch(colour) for store, colour in colours.items()}
        self.show_rows(rows)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)

    def row_of_store(self, store: str) -> int:
        return next(
            (index for index, row in enumerate(self.loaded_rows()) if row.store == store), -1
        )

    def is_bold(self, row: StoreRow, column: int) -> bool:
        return row.own or column == RATE_COLUMNS[self.rate]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.isValid()
            and index.column() == COLUMN_STORE
            and 0 <= index.row() < self.rowCount()
        ):
            return self._swatches.get(self.row_at(index.row()).store)
        return super().data(index, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        chosen = orientation == Qt.Orientation.Horizontal and section == RATE_COLUMNS[self.rate]
        if chosen and role == Qt.ItemDataRole.DisplayRole:
            return f"{self.rate.label} {RANKED_MARK}"
        return super().headerData(section, orientation, role)


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(SWATCH_SIZE, SWATCH_SIZE)
    pixmap.fill(colour)
    return QIcon(pixmap)
