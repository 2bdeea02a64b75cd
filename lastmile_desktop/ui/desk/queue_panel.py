"""The left side of the desk: which campaign (and, for the lead, whose queue), search, the queue."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGridLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.queue import QueueEntry
from lastmile_desktop.campaigns.campaigns import CampaignInfo
from lastmile_desktop.campaigns.managers import ManagerInfo
from lastmile_desktop.campaigns.stores import StoreInfo
from lastmile_desktop.ui.assign.widgets import SearchBox
from lastmile_desktop.ui.desk.queue_model import (
    ENTRY_ROLE,
    HEADING_ROLE,
    WHY_ROLE,
    QueueModel,
    Section,
)

ALL = ""  # the pickers' "every store" / "every manager" choice
ROW_PADDING = 4


class QueueDelegate(QStyledItemDelegate):
    """Two lines per customer: the name, then why (or why not yet) in a quieter voice."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        # The same height for every row (headings too), so 100,000 rows lay out at once.
        line = option.fontMetrics.lineSpacing()
        return QSize(0, 2 * line + 2 * ROW_PADDING)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        area = item.rect.adjusted(ROW_PADDING + 2, ROW_PADDING, -ROW_PADDING, -ROW_PADDING)
        painter.save()
        try:
            bold = QFont(item.font)
            bold.setBold(True)
            if index.data(HEADING_ROLE):
                painter.setFont(bold)
                painter.setPen(QColor("#1f3a4d"))
                painter.drawText(area, int(Qt.AlignmentFlag.AlignVCenter), str(index.data()))
                return
            entry = index.data(ENTRY_ROLE)
            ink = item.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            )
            quiet = ink if selected else QColor("#5f6b73")
            metrics = QFontMetrics(bold)
            top = area.adjusted(0, 0, 0, -area.height() // 2)
            bottom = area.adjusted(0, area.height() // 2, 0, 0)
            painter.setFont(bold)
            painter.setPen(ink)
            name = metrics.elidedText(entry.name, Qt.TextElideMode.ElideRight, top.width())
            painter.drawText(top, int(Qt.AlignmentFlag.AlignVCenter), name)
            painter.setFont(item.font)
            painter.setPen(quiet)
            why = QFontMetrics(item.font).elidedText(
                str(index.data(WHY_ROLE)), Qt.TextElideMode.ElideRight, bottom.width()
            )
            painter.drawText(bottom, int(Qt.AlignmentFlag.AlignVCenter), why)
        finally:
            painter.restore()


class QueueView(QListView):
    """The queue list; the cursor steps over section headings."""

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        index = super().moveCursor(cursorAction, modifiers)
        model = self.model()
        if not index.isValid() or not model.data(index, HEADING_ROLE):
            return index
        # Home lands on the first heading and steps down; End is already past the last one.
        downwards = cursorAction in (
            QAbstractItemView.CursorAction.MoveDown,
            QAbstractItemView.CursorAction.MoveNext,
            QAbstractItemView.CursorAction.MovePageDown,
            QAbstractItemView.CursorAction.MoveHome,
        )
        step = 1 if downwards else -1
        row = index.row()
        while 0 <= row < model.rowCount() and model.data(model.index(row, 0), HEADING_ROLE):
            row += step
        if not 0 <= row < model.rowCount():
            return self.currentIndex()
        return model.index(row, 0)


class QueuePanel(QWidget):
    # The selected customer changed: a QueueEntry, or None.
    current_changed = Signal(object)
    # The campaign, store or manager picked changed.
    filters_changed = Signal()
    search_changed = Signal(str)
    # Enter, Down or Esc in the search box: back to the list (Esc also clears the search).
    search_left = Signal()

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._filling = False
        self._people_shown = False
        self._all_managers: list[ManagerInfo] = []

        self.campaign_combo = QComboBox()
        self.campaign_combo.setAccessibleName("Campaign")
        campaign_label = QLabel("Campa&ign")
        campaign_label.setBuddy(self.campaign_combo)
        self.store_combo = QComboBox()
        self.store_combo.setAccessibleName("Store")
        self.store_label = QLabel("S&tore")
        self.store_label.setBuddy(self.store_combo)
        self.manager_combo = QComboBox()
        self.manager_combo.setAccessibleName("Manager")
        self.manager_label = QLabel("&Manager")
        self.manager_label.setBuddy(self.manager_combo)
        for combo in (self.campaign_combo, self.store_combo, self.manager_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(self._on_picker_changed)

        self.search = SearchBox("Search name or phone  (Ctrl+F)")
        self.search.setAccessibleName("Search the queue")
        self.search.search_changed.connect(self.search_changed)
        self.search.installEventFilter(self)

        self.view = QueueView()
        self.view.setObjectName("deskQueue")
        self.view.setModel(model)
        self.view.setItemDelegate(QueueDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAccessibleName("Queue")
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        queue_label = QLabel("&Queue")
        queue_label.setBuddy(self.view)

        pickers = QGridLayout()
        pickers.setContentsMargins(0, 0, 0, 0)
        pickers.addWidget(campaign_label, 0, 0)
        pickers.addWidget(self.campaign_combo, 0, 1)
        pickers.addWidget(self.store_label, 1, 0)
        pickers.addWidget(self.store_combo, 1, 1)
        pickers.addWidget(self.manager_label, 2, 0)
        pickers.addWidget(self.manager_combo, 2, 1)
        pickers.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(pickers)
        layout.addWidget(self.search)
        layout.addWidget(queue_label)
        layout.addWidget(self.view, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.search.clear()
                self.search_left.emit()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
                self.search_left.emit()
                return True
        return super().eventFilter(watched, event)

    # -- pickers ----------------------------------------------------------------------------
    def set_campaigns(self, campaigns: list[CampaignInfo], wanted: str | None) -> None:
        self._filling = True
        try:
            self.campaign_combo.clear()
            for info in campaigns:
                self.campaign_combo.addItem(info.name, info.name)
            index = self.campaign_combo.findData(wanted) if wanted else -1
            self.campaign_combo.setCurrentIndex(max(index, 0))
            self.campaign_combo.setEnabled(bool(campaigns))
        finally:
            self._filling = False

    def set_people(self, show: bool, stores: list[StoreInfo], managers: list[ManagerInfo]) -> None:
        """The lead's store and manager pickers; hidden for a store manager."""
        for widget in (self.store_label, self.store_combo, self.manager_label, self.manager_combo):
            widget.setVisible(show)
        self._people_shown = show
        if not show:
            return
        self._filling = True
        try:
            store, manager = self.store_code(), self.manager_name()
            self.store_combo.clear()
            self.store_combo.addItem("Every store", ALL)
            for info in stores:
                self.store_combo.addItem(info.label, info.code)
            self.store_combo.setCurrentIndex(max(self.store_combo.findData(store or ALL), 0))
            self._all_managers = managers
            self._fill_managers(managers, manager)
        finally:
            self._filling = False

    def _fill_managers(self, managers: list[ManagerInfo], wanted: str | None) -> None:
        store = self.store_code()
        self.manager_combo.clear()
        self.manager_combo.addItem("Every manager", ALL)
        for info in managers:
            if store is None or info.store_code == store:
                label = info.name if store else f"{info.name} ({info.store_code})"
                self.manager_combo.addItem(label, info.name)
        self.manager_combo.setCurrentIndex(max(self.manager_combo.findData(wanted or ALL), 0))

    def campaign_name(self) -> str | None:
        value = self.campaign_combo.currentData()
        return str(value) if value else None

    def store_code(self) -> str | None:
        value = self.store_combo.currentData() if self._people_shown else None
        return str(value) if value else None

    def manager_name(self) -> str | None:
        value = self.manager_combo.currentData() if self._people_shown else None
        return str(value) if value else None

    def _on_picker_changed(self, _index: int) -> None:
        if self._filling:
            return
        if self.sender() is self.store_combo:
            self._filling = True
            try:
                self._fill_managers(self._all_managers, self.manager_name())
            finally:
                self._filling = False
        self.filters_changed.emit()

    # -- the list ---------------------------------------------------------------------------
    def current_entry(self) -> QueueEntry | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return self.model.entry_at(index.row())

    def select_row(self, row: int) -> None:
        if row < 0:
            self.view.clearSelection()
            self.view.setCurrentIndex(QModelIndex())
            self.current_changed.emit(None)
            return
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def select_member(self, member: uuid.UUID) -> bool:
        row = self.model.row_of(member)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def select_first(self) -> None:
        self.select_row(self.model.first_row(Section.NOW))

    def _on_current_changed(
        self, current: QModelIndex | QPersistentModelIndex, _previous: object
    ) -> None:
        self.current_changed.emit(self.model.entry_at(current.row()) if current.isValid() else None)
