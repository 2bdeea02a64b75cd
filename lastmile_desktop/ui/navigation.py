"""The navigation list: page titles on the left, their shortcuts right-aligned and dimmed."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_KEY_ROLE = Qt.ItemDataRole.UserRole
# The line's own tooltip, kept to give back after another (a reason it is disabled) was shown.
OWN_TOOLTIP_ROLE = Qt.ItemDataRole.UserRole + 2


class _ShortcutDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        shortcut = index.data(SHORTCUT_ROLE)
        if not shortcut:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QColor("#ffffff" if selected else "#9fb3c2"))
        rect = option.rect.adjusted(0, 0, -14, 0)
        painter.drawText(
            rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shortcut
        )
        painter.restore()


class NavigationList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.setItemDelegate(_ShortcutDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def add_page(self, key: str, title: str, shortcut: str) -> QListWidgetItem:
        item = QListWidgetItem(title)
        item.setData(PAGE_KEY_ROLE, key)
        item.setData(SHORTCUT_ROLE, shortcut)
        item.setToolTip(f"{title} ({shortcut})")
        item.setData(OWN_TOOLTIP_ROLE, item.toolTip())
        self.addItem(item)
        return item
