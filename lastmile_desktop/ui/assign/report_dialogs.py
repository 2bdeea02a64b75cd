"""Dialogs that show what the services report: an assignment's result, an ownership history."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.assignment import (
    AssignmentReport,
    OwnershipChange,
    describe_assignment,
)
from lastmile_desktop.campaigns.members import StoreOverview


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    return table


def _cell(text: str, numeric: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if numeric:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def summarise_assignment(report: AssignmentReport) -> str:
    """The service's account of the run (``describe_assignment``), in this locale's numbers."""
    number = QLocale().toString
    if not report.members:
        return "This campaign has no customers yet: import a customer list (Ctrl+O) first."
    line = describe_assignment(report, number)
    if report.unassigned:
        line += (
            f" {number(report.unassigned)} have no store and wait in Unassigned: select "
            "them and use Pick store..."
        )
    return line


def _managers_text(store: StoreOverview) -> str:
    if not store.managers:
        return "no active manager: add one on the Stores and managers tab"
    return ", ".join(f"{m.name} {m.members}" for m in store.managers if m.members or m.active)


class AssignResultDialog(QDialog):
    """Per store after Assign now: list, holdout, call group and each manager's share."""

    HEADERS = ("Store", "List", "Holdout", "Call group", "Managers")

    def __init__(self, report: AssignmentReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Assigned: {report.campaign_name}")
        self.resize(920, 480)
        number = QLocale().toString
        self.summary = QLabel(summarise_assignment(report))
        self.summary.setWordWrap(True)
        self.table = _table(list(self.HEADERS))
        stores = [store for store in report.stores if not store.is_unassigned_bucket]
        self.table.setRowCount(len(stores))
        for row, store in enumerate(stores):
            self.table.setItem(row, 0, _cell(store.store_name))
            self.table.setItem(row, 1, _cell(number(store.members), numeric=True))
            self.table.setItem(row, 2, _cell(number(store.holdout), numeric=True))
            self.table.setItem(row, 3, _cell(number(store.call_group), numeric=True))
            self.table.setItem(row, 4, _cell(_managers_text(store)))
        self.table.setVisible(bool(stores))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        seed = QLabel(
            f"Holdout: {report.holdout_share:.0%} of each store, drawn with seed {report.seed} "
            "(the same seed draws the same customers)."
        )
        seed.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(seed)
        layout.addWidget(buttons)


def _place(store: str | None, manager: str | None) -> str:
    if store is None:
        return "Unassigned"
    return f"{manager} ({store})" if manager else store


class HistoryDialog(QDialog):
    """Every change of owner of one customer: when, who, from, to, why."""

    HEADERS = ("When", "Changed by", "From", "To", "Reason")

    def __init__(
        self, customer: str, changes: list[OwnershipChange], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ownership history: {customer}")
        self.resize(820, 360)
        self.table = _table(list(self.HEADERS))
        self.table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            when = change.changed_at.astimezone().strftime("%d %b %Y %H:%M")
            self.table.setItem(row, 0, _cell(when))
            self.table.setItem(row, 1, _cell(change.changed_by))
            self.table.setItem(row, 2, _cell(_place(change.from_store, change.from_manager)))
            self.table.setItem(row, 3, _cell(_place(change.to_store, change.to_manager)))
            self.table.setItem(row, 4, _cell(change.reason))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        empty = QLabel("No change of owner is recorded for this customer yet.")
        empty.setVisible(not changes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(empty)
        layout.addWidget(buttons)
