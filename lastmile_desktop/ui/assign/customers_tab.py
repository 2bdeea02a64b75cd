"""The Customers tab: the overview per store and manager beside the filtered customer table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.managers import ManagerInfo, list_managers
from lastmile_desktop.campaigns.members import MemberFilter, MemberRow, assignment_overview
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.ui.assign.filters import FilterChoice, MemberFilterBar
from lastmile_desktop.ui.assign.member_model import (
    COLUMN_ATTEMPTS,
    COLUMN_LAST_OUTCOME,
    COLUMN_LAST_PURCHASE,
    COLUMN_MANAGER,
    COLUMN_NAME,
    COLUMN_PHONE,
    COLUMN_SPEND,
    COLUMN_STATUS,
    COLUMN_STORE,
    MemberTableModel,
)
from lastmile_desktop.ui.assign.overview import AssignmentOverview, OverviewSelection
from lastmile_desktop.ui.assign.paged_model import EmptySource
from lastmile_desktop.ui.assign.widgets import hint_label
from lastmile_desktop.ui.context import AppContext

# Wide enough for a full name, an E.164 number, a store name and an outcome label.
COLUMN_WIDTHS = {
    COLUMN_NAME: 170,
    COLUMN_PHONE: 128,
    COLUMN_STORE: 170,
    COLUMN_MANAGER: 140,
    COLUMN_STATUS: 90,
    COLUMN_ATTEMPTS: 50,
    COLUMN_LAST_OUTCOME: 160,
    COLUMN_SPEND: 110,
    COLUMN_LAST_PURCHASE: 110,
}

# What the lead-only actions do; a manager's tooltip gives the reason instead (actions.py).
PICK_STORE_TIP = "Send the selected customers to a store"
FORGET_TIP = "Erase the customer's personal data (a privacy request)"
MOVE_WORK_TIP = "Move the open work of a manager who left"
REBALANCE_TIP = "Even out the open work between a store's managers"


def _action(parent: QWidget, text: str, shortcut: str | None = None) -> QAction:
    """An action of this tab. Its keys work anywhere in the window while the tab is shown
    (Qt ignores the shortcuts of hidden widgets, so other tabs may reuse the same keys)."""
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    parent.addAction(action)
    return action


def _button(action: QAction) -> QPushButton:
    """A button that triggers ``action`` and shows its shortcut, enabled with it."""
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    button = QPushButton(f"{action.text()}  ({shortcut})" if shortcut else action.text())
    button.setToolTip(action.toolTip())
    # The tooltip follows the action's: it gives the reason when a profile may not use it.
    action.changed.connect(lambda: button.setToolTip(action.toolTip()))
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    action.visibleChanged.connect(lambda: button.setVisible(action.isVisible()))
    button.setEnabled(action.isEnabled())
    button.setHidden(not action.isVisible())
    return button


class CustomersTab(QWidget):
    """Shows one campaign's members; the Assign page wires the actions to the services."""

    # The table now shows another filter (after the overview, a combo or the search changed).
    filter_applied = Signal(object)  # MemberFilter
    selection_changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.campaign_id: int | None = None

        self.overview = AssignmentOverview()
        self.overview.setMinimumWidth(300)
        self.overview.selection_changed.connect(self._on_overview_selection)

        self.filters = MemberFilterBar()
        self.filters.changed.connect(self._on_filter_changed)
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(110)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.empty_hint = hint_label("")
        self.empty_hint.setVisible(False)
        self.model = MemberTableModel(self)
        self.model.total_changed.connect(self._on_total_changed)
        self.table = QTableView()
        self.table.setObjectName("memberTable")
        self.table.setModel(self.model)
        # An empty campaign shows what to do next where the rows would be.
        self.empty_page = QLabel()
        self.empty_page.setObjectName("emptyState")
        self.empty_page.setWordWrap(True)
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_page.setMargin(40)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty_page)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        header = self.table.horizontalHeader()
        header.setSortIndicator(COLUMN_NAME, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        header.ensurePolished()  # the style sheet's bold titles decide the widths below
        for column, width in COLUMN_WIDTHS.items():
            # Never narrower than the column's title and sort arrow (fonts differ by system).
            header.resizeSection(column, max(width, header.sectionSizeFromContents(column).width()))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self.selection_changed.emit()
        )
        # Actions: the Assign page connects them; the table's context menu lists them.
        self.reassign_action = _action(self, "Reassign to...", "Ctrl+R")
        self.reassign_action.setToolTip("Give the selected customers to another manager")
        self.pick_store_action = _action(self, "Pick store...", "Ctrl+Shift+S")
        self.pick_store_action.setToolTip(PICK_STORE_TIP)
        self.hand_back_action = _action(self, "Hand back...", "Ctrl+B")
        self.hand_back_action.setToolTip(
            "Give the selected customers back to the lead, with a reason"
        )
        self.history_action = _action(self, "Ownership history...", "Ctrl+H")
        self.history_action.setToolTip("Who owned this customer, when, and why it changed")
        self.forget_action = _action(self, "Forget this customer...")
        self.forget_action.setToolTip(FORGET_TIP)
        self.move_work_action = _action(self, "Move work...", "Ctrl+Shift+M")
        self.move_work_action.setToolTip(MOVE_WORK_TIP)
        self.rebalance_action = _action(self, "Rebalance...", "Ctrl+Shift+B")
        self.rebalance_action.setToolTip(REBALANCE_TIP)
        self.search_action = _action(self, "Search", "Ctrl+F")
        self.search_action.triggered.connect(self._focus_search)
        # Before the buttons exist, so that layouts never reserve room for hidden ones.
        self.show_actions_for(context.profile)

        actions_row = QHBoxLayout()
        for action in (
            self.reassign_action,
            self.pick_store_action,
            self.hand_back_action,
            self.history_action,
        ):
            actions_row.addWidget(_button(action))
        actions_row.addStretch(1)
        self.filters.search_row.addWidget(self.count_label)

        # Store-level work sits under the overview it changes.
        overview_panel = QWidget()
        overview_layout = QVBoxLayout(overview_panel)
        overview_layout.setContentsMargins(0, 0, 0, 0)
        overview_layout.addWidget(self.overview, 1)
        for action in (self.move_work_action, self.rebalance_action):
            overview_layout.addWidget(_button(action))

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.filters)
        right_layout.addWidget(self.table_stack, 1)
        right_layout.addWidget(self.empty_hint)
        right_layout.addLayout(actions_row)

        splitter = QSplitter()
        splitter.addWidget(overview_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        # Room for store names in the overview; the table scrolls sideways when it must.
        splitter.setSizes([500, 540])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_actions_for(self, profile: Profile) -> None:
        """The lead's actions or the store manager's: the others are hidden."""
        lead = profile.is_lead
        for action, visible in (
            (self.pick_store_action, lead),
            (self.forget_action, lead),
            (self.move_work_action, lead),
            (self.rebalance_action, lead),
            (self.hand_back_action, not lead),
        ):
            action.setVisible(visible)

    # -- loading ----------------------------------------------------------------------------
    def show_campaign(self, campaign_id: int | None) -> None:
        """Reload everything for this campaign (or an empty tab when there is none)."""
        self.campaign_id = campaign_id
        self.refresh()

    def refresh(self) -> None:
        """Figures and rows again after any change of data, keeping the filter and selection."""
        db, profile = self.context.db, self.context.profile
        refused: list[ManagerInfo] = []
        managers = self.context.read(
            lambda: list_managers(db, profile, include_inactive=True), refused
        )
        self.filters.set_choices(list_stores(db), managers, profile)
        if self.campaign_id is None:
            self.overview.show_overviews([])
            self.model.set_source(EmptySource())
            return
        selected = [row.member_id for row in self.selected_rows()]
        current = self.current_row()
        campaign_id = self.campaign_id
        self.overview.show_overviews(
            self.context.read(lambda: assignment_overview(db, profile, campaign_id), [])
        )
        self._apply(self.filters.choice())
        self._reselect(selected, current.member_id if current is not None else None)

    def _on_overview_selection(self, selection: OverviewSelection) -> None:
        self.filters.show_place(
            selection.store_id, selection.manager_id, unassigned=selection.unassigned
        )

    def _on_filter_changed(self, choice: FilterChoice) -> None:
        self._apply(choice)

    def _apply(self, choice: FilterChoice) -> None:
        if self.campaign_id is None:
            return
        member_filter = MemberFilter(
            campaign_id=self.campaign_id,
            store_id=choice.store_id,
            manager_id=choice.manager_id,
            status=choice.status,
            search=choice.search,
            no_store=choice.unassigned,
        )
        db, profile = self.context.db, self.context.profile

        def show() -> bool:
            self.model.show_members(db, profile, member_filter)
            return True

        if not self.context.read(show, False):
            self.model.set_source(EmptySource())
        self.filter_applied.emit(member_filter)

    def _on_total_changed(self, total: int) -> None:
        number = QLocale().toString
        self.count_label.setText(f"{number(total)} customers" if total != 1 else "1 customer")
        self._update_empty_hint(total)

    def _is_filtered(self) -> bool:
        choice = self.filters.choice()
        by_store = choice.store_id is not None and self.context.profile.is_lead
        return bool(
            choice.search or choice.status or choice.manager_id or by_store or choice.unassigned
        )

    def _update_empty_hint(self, total: int) -> None:
        filtered = self._is_filtered()
        self.empty_hint.setVisible(not total and filtered)
        self.empty_hint.setText(
            "No customers match. Clear the search or pick another store, manager or status."
        )
        if total or filtered:
            self.table_stack.setCurrentWidget(self.table)
            return
        if self.campaign_id is None:
            text = (
                "No campaign yet.\n\nImport a customer list (Ctrl+O): the import creates its "
                "campaign. Or create one on the Campaigns tab."
            )
        elif self.context.profile.is_lead:
            text = (
                "This campaign has no customers yet.\n\nImport a customer list (Ctrl+O), "
                "then press Assign now (Ctrl+Shift+A) to share it out."
            )
        else:
            text = (
                "Your store has no customers in this campaign yet.\n\nThe regional lead "
                "assigns the list; it appears here once they have."
            )
        self.empty_page.setText(text)
        self.table_stack.setCurrentWidget(self.empty_page)

    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    # -- selection --------------------------------------------------------------------------
    def selected_rows(self) -> list[MemberRow]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(row) for row in rows]

    def _reselect(self, member_ids: list[int], current_id: int | None) -> None:
        """Select these members again where they are still shown (after a reload)."""
        wanted = set(member_ids)
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row, member in enumerate(self.model.loaded_rows()):
            index = self.model.index(row, COLUMN_NAME)
            if member.member_id == current_id:
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            if member.member_id in wanted:
                selection.select(index, flags)

    def current_row(self) -> MemberRow | None:
        row = self.table.currentIndex().row()
        if 0 <= row < self.model.rowCount():
            return self.model.row_at(row)
        selected = self.selected_rows()
        return selected[0] if selected else None

    def _show_context_menu(self, position: QPoint) -> None:
        if not self.selected_rows():
            return
        menu = QMenu(self.table)
        for action in (
            self.reassign_action,
            self.pick_store_action,
            self.hand_back_action,
            self.history_action,
        ):
            if action.isVisible():
                menu.addAction(action)
        if self.forget_action.isVisible():
            menu.addSeparator()
            menu.addAction(self.forget_action)
        viewport = self.table.viewport()
        menu.popup(viewport.mapToGlobal(position) if viewport is not None else position)
        self.context_menu = menu
