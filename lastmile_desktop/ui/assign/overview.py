"""The overview beside the customer table: per store and per manager, and the Unassigned bucket.

Clicking a line filters the table to it; dropping selected customers on a manager
reassigns them to that manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from lastmile_desktop.campaigns.members import StoreOverview
from lastmile_desktop.ui.assign.member_model import MEMBER_IDS_MIME, member_ids_from_mime

COLUMN_NAME = 0
COLUMN_MEMBERS = 1
COLUMN_HOLDOUT = 2
COLUMN_DONE = 3
COLUMN_LEFT = 4
HEADERS = ("Store / manager", "List", "Holdout", "Done", "Left")
# Done + Left is the call group; the list adds the holdout and anyone not drawn yet.
TOOLTIPS = (
    "",
    "Customers in the list (managers: those they call)",
    "Set aside at random and never called, to measure what calling changed",
    "Finished: an outcome ended the calls, the tries ran out, or do not call",
    "Left to call: not called yet, or called and to be tried again",
)

ATTENTION = QColor("#b3261e")


@dataclass(frozen=True)
class OverviewSelection:
    """What a line of the overview stands for; all None means the whole campaign."""

    store_id: int | None = None
    manager_id: int | None = None
    unassigned: bool = False


SELECTION_ROLE = Qt.ItemDataRole.UserRole + 10


class AssignmentOverview(QTreeWidget):
    # The user picked a line: filter the table to it.
    selection_changed = Signal(object)  # OverviewSelection
    # Customers were dropped on a manager: (manager id, member ids).
    members_dropped = Signal(int, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(list(HEADERS))
        header_item = self.headerItem()
        for column, tip in enumerate(TOOLTIPS):
            if tip:
                header_item.setToolTip(column, tip)
            if column != COLUMN_NAME:
                header_item.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMN_NAME, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.currentItemChanged.connect(self._on_current_changed)
        self.overviews: list[StoreOverview] = []

    def show_overviews(self, overviews: list[StoreOverview]) -> None:
        """Repaint the figures, keeping the line the user had picked."""
        keep = self.current_selection()
        self.overviews = overviews
        self.blockSignals(True)
        try:
            self.clear()
            if overviews:
                total = self._add_line(
                    None,
                    "Whole campaign",
                    OverviewSelection(),
                    (
                        sum(o.members for o in overviews),
                        sum(o.holdout for o in overviews),
                        sum(o.done for o in overviews),
                        sum(o.left_to_call for o in overviews),
                    ),
                )
                font = QFont(total.font(COLUMN_NAME))
                font.setBold(True)
                for column in range(len(HEADERS)):
                    total.setFont(column, font)
            for overview in overviews:
                self._add_store(overview)
            self.expandAll()
            self._reselect(keep)
        finally:
            self.blockSignals(False)

    def _add_store(self, overview: StoreOverview) -> None:
        if overview.is_unassigned_bucket:
            item = self._add_line(
                None,
                "Unassigned (no store)",
                OverviewSelection(unassigned=True),
                (overview.members, overview.holdout, overview.done, overview.left_to_call),
            )
            item.setForeground(COLUMN_NAME, QBrush(ATTENTION))
            item.setToolTip(
                COLUMN_NAME,
                "Customers whose store is unknown. Select them in the table and use "
                "Pick store... to send them to a store.",
            )
            return
        store_item = self._add_line(
            None,
            overview.store_name,
            OverviewSelection(store_id=overview.store_id),
            (overview.members, overview.holdout, overview.done, overview.left_to_call),
        )
        notes = [f"{overview.called} called at least once"] if overview.called else []
        if overview.undrawn:
            notes.append(f"{overview.undrawn} not assigned yet: press Assign now")
        if overview.without_manager:
            notes.append(f"{overview.without_manager} to call have no manager")
        if overview.suppressed:
            notes.append(f"{overview.suppressed} on the do-not-call list")
        if notes:
            store_item.setToolTip(COLUMN_NAME, "; ".join(notes))
        if overview.undrawn or overview.without_manager:
            store_item.setForeground(COLUMN_NAME, QBrush(ATTENTION))
        for manager in overview.managers:
            name = manager.name if manager.active else f"{manager.name} (left)"
            item = self._add_line(
                store_item,
                name,
                OverviewSelection(store_id=overview.store_id, manager_id=manager.manager_id),
                (manager.members, None, manager.done, manager.left_to_call),
            )
            if not manager.active and manager.left_to_call:
                item.setForeground(COLUMN_NAME, QBrush(ATTENTION))
                item.setToolTip(
                    COLUMN_NAME, "Has left but still owns customers to call: use Move work..."
                )
            # Only managers accept dropped customers.
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDropEnabled)
        if not overview.managers:
            placeholder = QTreeWidgetItem(store_item, ["No managers yet: add one"])
            placeholder.setFlags(Qt.ItemFlag.ItemIsEnabled)
            placeholder.setForeground(COLUMN_NAME, QBrush(QColor("#7a8790")))

    def _add_line(
        self,
        parent: QTreeWidgetItem | None,
        name: str,
        selection: OverviewSelection,
        figures: tuple[int | None, int | None, int | None, int | None],
    ) -> QTreeWidgetItem:
        number = QLocale().toString
        texts = [name, *("" if value is None else number(value) for value in figures)]
        item = QTreeWidgetItem(texts) if parent is None else QTreeWidgetItem(parent, texts)
        if parent is None:
            self.addTopLevelItem(item)
        item.setData(COLUMN_NAME, SELECTION_ROLE, selection)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        for column in range(1, len(HEADERS)):
            item.setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        return item

    # -- selection --------------------------------------------------------------------------
    def current_selection(self) -> OverviewSelection:
        item = self.currentItem()
        if item is None:
            return OverviewSelection()
        value = item.data(COLUMN_NAME, SELECTION_ROLE)
        return value if isinstance(value, OverviewSelection) else OverviewSelection()

    def select(self, selection: OverviewSelection) -> None:
        self._reselect(selection)

    def _reselect(self, selection: OverviewSelection) -> None:
        for item in self._items():
            if item.data(COLUMN_NAME, SELECTION_ROLE) == selection:
                self.setCurrentItem(item)
                return
        first = self.topLevelItem(0)
        if first is not None:
            self.setCurrentItem(first)

    def item_for(self, selection: OverviewSelection) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(COLUMN_NAME, SELECTION_ROLE) == selection:
                return item
        return None

    def _items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for top in range(self.topLevelItemCount()):
            store = self.topLevelItem(top)
            if store is None:
                continue
            items.append(store)
            for child in range(store.childCount()):
                manager = store.child(child)
                if manager is not None:
                    items.append(manager)
        return items

    def _on_current_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if current is None:
            return
        value = current.data(COLUMN_NAME, SELECTION_ROLE)
        if isinstance(value, OverviewSelection):
            self.selection_changed.emit(value)

    # -- dropping customers on a manager ----------------------------------------------------
    def _manager_at(self, event: QDropEvent | QDragMoveEvent) -> int | None:
        item = self.itemAt(event.position().toPoint())
        if item is None:
            return None
        value = item.data(COLUMN_NAME, SELECTION_ROLE)
        if isinstance(value, OverviewSelection) and value.manager_id is not None:
            return value.manager_id
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MEMBER_IDS_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MEMBER_IDS_MIME) and self._manager_at(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        manager_id = self._manager_at(event)
        member_ids = member_ids_from_mime(event.mimeData())
        if manager_id is None or not member_ids:
            event.ignore()
            return
        event.acceptProposedAction()
        self.members_dropped.emit(manager_id, member_ids)
