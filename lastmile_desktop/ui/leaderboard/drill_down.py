"""A store's drill-down: its figures per manager, and the customers behind any figure.

Opened from the store table (Ctrl+Enter, Enter or a double click), or from a gap. The top
table has the store as a whole, then each manager; moving through its cells picks whose
customers and which figure the list below shows (the combo box picks any other figure,
the gaps' included). Both are read in the background through ``store_detail`` and
``customers_behind``, the services that count the figures, so a list always adds up to its
number (up to the first 1,000 by name; the table pages them in as it scrolls).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.model import CustomerLine, Figures, StoreDetail
from lastmile_desktop.leaderboard.service import CUSTOMERS_SHOWN, customers_behind, store_detail
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.paged_model import Column, ListSource, PagedTableModel
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.wording import display_phone
from lastmile_desktop.ui.leaderboard import wording
from lastmile_desktop.ui.leaderboard.request import BoardRequest
from lastmile_desktop.ui.leaderboard.store_table import (
    FigureColumn,
    FigureTableModel,
    count_columns,
    rate_columns,
)

WORKING = "Working..."
WHOLE_STORE = "Whole store"
NO_MANAGER_NOTE = (
    "These customers belong to no manager. Their names are in the whole store's lists "
    "(the first row above)."
)
CUSTOMER_PAGE = 200  # rows paged into the table at a time, as it scrolls
LIST_LIMIT = CUSTOMERS_SHOWN  # customers read for one list, the first by name
T = TypeVar("T")

# Every figure a list can be asked for, as the choice reads.
FIGURE_CHOICES: dict[Figure, str] = {
    Figure.ASSIGNED: "Assigned",
    Figure.ATTEMPTED: "Called",
    Figure.REACHED: "Reached",
    Figure.ACCEPTED: "Accepted",
    Figure.WON_BACK: "Won back",
    Figure.STAYED_BACK: "Stayed back",
    Figure.OVERDUE_CALLBACKS: "Callbacks due and not made",
    Figure.NOT_ATTEMPTED: "Not called yet",
    Figure.NOT_REACHED: "Called and not reached yet",
    Figure.DECLINED: "Declined",
    Figure.NUMBER_NOT_WORKING: "Number wrong or not in service",
    Figure.MOVED_OR_DECEASED: "Moved away or deceased",
    Figure.PROMISED_NOT_SEEN: "Accepted, visit day past, no purchase since",
    Figure.NOT_SEEN_AGAIN: "Came back once, not seen again",
    Figure.CALL_RETURNED: "Came back since the start (call group)",
    Figure.HOLDOUT: "Holdout",
    Figure.HOLDOUT_RETURNED: "Came back since the start (holdout)",
}


def figure_count(figures: Figures, figure: Figure) -> int | None:
    """The figure's count where ``Figures`` holds it (the list must be that long)."""
    counts = {
        Figure.ASSIGNED: figures.assigned,
        Figure.ATTEMPTED: figures.attempted,
        Figure.REACHED: figures.reached,
        Figure.ACCEPTED: figures.accepted,
        Figure.WON_BACK: figures.won_back,
        Figure.STAYED_BACK: figures.stayed_back,
        Figure.OVERDUE_CALLBACKS: figures.overdue_callbacks,
    }
    return counts.get(figure)


@dataclass(frozen=True)
class ManagerLine:
    manager_id: int | None
    name: str
    figures: Figures
    whole_store: bool = False

    @property
    def listable(self) -> bool:
        """Whether customers_behind can list this row's customers on their own."""
        return self.whole_store or self.manager_id is not None


def manager_columns() -> list[FigureColumn[ManagerLine]]:
    def figures(line: ManagerLine) -> Figures:
        return line.figures

    name: FigureColumn[ManagerLine] = FigureColumn(
        Column(
            "Manager",
            lambda line: line.name,
            # The whole store stays on top whatever the sort.
            lambda line: "" if line.whole_store else line.name,
        ),
        Figure.ASSIGNED,
    )
    return [name, *rate_columns(figures), *count_columns(figures)]


class ManagerTableModel(FigureTableModel[ManagerLine]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(manager_columns(), parent=parent)

    def is_bold(self, row: ManagerLine, column: int) -> bool:
        return row.whole_store


def customer_columns() -> list[Column[CustomerLine]]:
    return [
        Column("Customer", lambda c: c.name, lambda c: c.name),
        Column("Customer id", lambda c: c.customer_id or "", lambda c: c.customer_id or ""),
        Column("Phone", lambda c: display_phone(c.phone), lambda c: c.phone or ""),
        Column("Manager", lambda c: c.manager or "", lambda c: c.manager or ""),
        Column("Last outcome", lambda c: c.last_outcome or "", lambda c: c.last_outcome or ""),
    ]


def _table(model: PagedTableModel[Any], *, stretch_last: bool) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(stretch_last)
    return table


class StoreDetailDialog(QDialog):
    # The managers' figures arrived and are shown.
    detail_loaded = Signal()
    # A list of customers arrived and is shown.
    customers_loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        store_id: int,
        store: str,
        request: BoardRequest,
        *,
        figure: Figure,
        reason: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.store_id = store_id
        self.request = request
        self.detail: StoreDetail | None = None
        self.lines: list[CustomerLine] = []
        self._generation = 0
        self.setWindowTitle(f"{store}: managers and customers")
        self.resize(1000, 620)

        self.title = QLabel(store)
        self.title.setObjectName("dialogTitle")
        self.working = QLabel(WORKING)
        self.working.setObjectName("hint")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.working)

        self.managers = ManagerTableModel(self)
        self.manager_table = _table(self.managers, stretch_last=False)
        self.manager_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.manager_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        managers_label = QLabel(
            "&Whole store and managers (Alt+W): move through the cells to list the customers"
        )
        managers_label.setBuddy(self.manager_table)

        self.figure_combo = QComboBox()
        # The combo's entries, in its order: which figure, and for declines which reason.
        self.choices: list[tuple[Figure, str | None]] = [(f, None) for f in FIGURE_CHOICES]
        for choice in FIGURE_CHOICES.values():
            self.figure_combo.addItem(choice)
        if reason is not None:
            self.choices.append((Figure.DECLINED, reason))
            self.figure_combo.addItem(f"Declined: {reason}")
        self.figure_combo.setCurrentIndex(self.choices.index((figure, reason)))
        figure_label = QLabel("Customers &behind (Alt+B):")
        figure_label.setBuddy(self.figure_combo)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        figure_row = QHBoxLayout()
        figure_row.addWidget(figure_label)
        figure_row.addWidget(self.figure_combo)
        figure_row.addWidget(self.count_label, 1)

        self.customers: PagedTableModel[CustomerLine] = PagedTableModel(
            customer_columns(), page_size=CUSTOMER_PAGE, parent=self
        )
        self.customer_table = _table(self.customers, stretch_last=True)
        self.customer_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.close_button = QPushButton("Close  (Esc)")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(managers_label)
        layout.addWidget(self.manager_table, 2)
        layout.addLayout(figure_row)
        layout.addWidget(self.customer_table, 3)
        layout.addLayout(buttons)

        self._kept: tuple[bool, int | None, int] = (True, None, self._column_of(figure))
        self.figure_combo.currentIndexChanged.connect(lambda _index: self.load_customers())
        self.managers.modelAboutToBeReset.connect(self._keep_current)
        self.managers.modelReset.connect(self._restore_current)
        self.manager_table.selectionModel().currentChanged.connect(self._cell_changed)
        context.changed.connect(self.refresh)
        self.load_detail()

    # -- what is shown --------------------------------------------------------------------
    def chosen(self) -> tuple[Figure, str | None]:
        return self.choices[max(self.figure_combo.currentIndex(), 0)]

    def current_line(self) -> ManagerLine | None:
        index = self.manager_table.currentIndex()
        if not index.isValid():
            return None
        return self.managers.row_at(index.row())

    def choose(self, row: int, figure: Figure) -> None:
        """Lists ``figure`` for the row ``row`` of the managers table."""
        self.manager_table.setCurrentIndex(self.managers.index(row, self._column_of(figure)))
        self._pick_figure(figure, None)

    def _column_of(self, figure: Figure) -> int:
        """The first column counting ``figure`` (the name column when none does)."""
        columns = self.managers.figure_columns
        return next((i for i, c in enumerate(columns) if i > 0 and c.figure is figure), 0)

    def refresh(self, _change: object = None) -> None:
        """The data changed: the figures and the list again, on the same row and figure."""
        self.load_detail()

    # -- loading --------------------------------------------------------------------------
    def load_detail(self) -> None:
        db, profile, request, store_id = (
            self.context.db,
            self.context.profile,
            self.request,
            self.store_id,
        )

        def read() -> StoreDetail:
            return store_detail(
                db,
                profile,
                store_id,
                campaign=request.campaign_id,
                period=request.period,
                zone=request.zone,
                now=request.now,
            )

        self._background(read, self._show_detail)

    def _show_detail(self, detail: StoreDetail) -> None:
        self.detail = detail
        self.title.setText(f"{detail.store}, {detail.period.describe()}")
        lines = [ManagerLine(None, WHOLE_STORE, detail.figures, whole_store=True)]
        lines += [
            ManagerLine(
                row.manager_id,
                f"{row.manager} (left)" if row.manager_id and not row.active else row.manager,
                row.figures,
            )
            for row in detail.managers
        ]
        self.managers.show_rows(lines)  # the reset puts the current cell back, and lists
        self.detail_loaded.emit()

    def _keep_current(self) -> None:
        line, index = self.current_line(), self.manager_table.currentIndex()
        if line is not None:
            self._kept = (line.whole_store, line.manager_id, index.column())

    def _restore_current(self) -> None:
        whole_store, manager_id, column = self._kept
        rows = self.managers.loaded_rows()
        row = next(
            (
                number
                for number, line in enumerate(rows)
                if line.whole_store == whole_store and line.manager_id == manager_id
            ),
            0,
        )
        if rows:
            self.manager_table.setCurrentIndex(self.managers.index(row, column))

    def _cell_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid():
            return
        moved_row = not previous.isValid() or previous.row() != current.row()
        figure = self.managers.figure_of(current.column())
        if current.column() > 0 and figure is not None:
            chosen, _reason = self.chosen()
            if figure is not chosen:
                self._pick_figure(figure, None)  # loads the list
                return
        if moved_row:
            self.load_customers()

    def _pick_figure(self, figure: Figure, reason: str | None) -> None:
        index = self.choices.index((figure, reason)) if (figure, reason) in self.choices else -1
        if index >= 0 and index != self.figure_combo.currentIndex():
            self.figure_combo.setCurrentIndex(index)  # the combo's signal loads the list

    def load_customers(self) -> None:
        line = self.current_line()
        if line is None:
            return
        figure, reason = self.chosen()
        if not line.listable:
            self._generation += 1
            self.lines = []
            self.customers.set_source(ListSource([], self.customers.columns))
            self.count_label.setText(NO_MANAGER_NOTE)
            self.working.setVisible(False)
            self.customers_loaded.emit()
            return
        db, profile, request, store_id = (
            self.context.db,
            self.context.profile,
            self.request,
            self.store_id,
        )
        manager_id = None if line.whole_store else line.manager_id

        def read() -> list[CustomerLine]:
            return customers_behind(
                db,
                profile,
                store_id,
                figure,
                manager_id=manager_id,
                reason=reason,
                campaign=request.campaign_id,
                period=request.period,
                zone=request.zone,
                now=request.now,
                limit=LIST_LIMIT,
            )

        expected = figure_count(line.figures, figure) if reason is None else None
        self._background(read, lambda lines: self._show_customers(lines, line, expected))

    def _show_customers(
        self, lines: list[CustomerLine], line: ManagerLine, expected: int | None
    ) -> None:
        self.lines = lines
        self.customers.set_source(ListSource(lines, self.customers.columns))
        whose = "the whole store" if line.whole_store else line.name
        what = self.figure_combo.currentText().lower()
        shown = len(lines)
        if expected is not None and expected > shown:
            text = (
                f"The first {wording.count(shown)} of {wording.count(expected)} customers "
                f"({what}, {whose}), by name. Pick a manager above for a shorter list."
            )
        elif shown >= LIST_LIMIT:
            text = (
                f"The first {wording.count(shown)} customers ({what}, {whose}), by name. "
                "Pick a manager above for a shorter list."
            )
        else:
            noun = "customer" if shown == 1 else "customers"
            text = f"{wording.count(shown)} {noun} ({what}, {whose})."
        self.count_label.setText(text)
        self.customers_loaded.emit()

    def _background(self, read: Callable[[], T], show: Callable[[T], None]) -> None:
        """Runs ``read`` off the GUI thread; only the answer to the latest question is shown."""
        self._generation += 1
        generation = self._generation
        self.working.setVisible(True)

        def arrived(result: T) -> None:
            if not isValid(self):
                return  # closed and deleted while the read ran
            if generation == self._generation:
                self.working.setVisible(False)
                show(result)

        def refused(error: UserFacingError) -> None:
            if isValid(self) and generation == self._generation:
                self.working.setVisible(False)
                self.count_label.setText(str(error))

        action: UserAction[T] = UserAction(self.context, read, parent=self)
        action.on_success(arrived).on_user_error(refused).run_in_background()
