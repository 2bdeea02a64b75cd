"""Finding one customer by name or phone in a campaign's list (before forgetting them)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.members import MemberFilter, MemberRow
from lastmile_desktop.ui.assign.member_model import (
    COLUMN_LAST_OUTCOME,
    COLUMN_LAST_PURCHASE,
    COLUMN_SPEND,
    COLUMN_STATUS,
    MemberTableModel,
)
from lastmile_desktop.ui.assign.paged_model import EmptySource
from lastmile_desktop.ui.assign.widgets import SearchBox
from lastmile_desktop.ui.context import AppContext


class FindCustomerDialog(QDialog):
    """Type a name or phone, pick the customer; ``chosen`` holds them after OK."""

    def __init__(
        self, context: AppContext, campaign_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find the customer to forget")
        self.resize(700, 440)
        self.context = context
        self.campaign_id = campaign_id
        self.chosen: MemberRow | None = None

        intro = QLabel("Type part of the customer's name or phone number, then pick them.")
        intro.setWordWrap(True)
        self.search = SearchBox("Name or phone")
        self.search.search_changed.connect(self._search)
        self.model = MemberTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column in (COLUMN_STATUS, COLUMN_LAST_OUTCOME, COLUMN_SPEND, COLUMN_LAST_PURCHASE):
            self.table.hideColumn(column)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Forget this customer...")
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.search.setFocus()

    def _search(self, text: str) -> None:
        self.chosen = None
        self.ok_button.setEnabled(False)
        if not text:
            self.model.set_source(EmptySource())
            return
        self.model.show_members(
            self.context.db,
            self.context.profile,
            MemberFilter(campaign_id=self.campaign_id, search=text),
        )
        if self.model.rowCount() == 1:
            self.table.selectRow(0)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.chosen = self.model.row_at(current.row())
        self.ok_button.setEnabled(self.chosen is not None)
