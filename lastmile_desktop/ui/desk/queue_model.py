"""The queue as a list: Now, then the customers skipped this session, then Later.

Each section starts with a heading row that cannot be selected; the view's cursor steps over
it. A row holds the service's ``QueueEntry`` (plain data); the model never asks the database.
The queue comes a page at a time: a heading counts every customer of its section, and
``is_near_the_end`` tells the desk when to read a longer page.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from lastmile_desktop.calling.queue import CallQueue, QueueEntry
from lastmile_desktop.ui.desk import wording

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
HEADING_ROLE = Qt.ItemDataRole.UserRole + 3
WHY_ROLE = Qt.ItemDataRole.UserRole + 4  # the second line: why, in plain words

_Index = QModelIndex | QPersistentModelIndex


class Section(enum.StrEnum):
    NOW = "now"
    SKIPPED = "skipped"
    LATER = "later"


SECTION_TITLES = {
    Section.NOW: "Now",
    Section.SKIPPED: "Skipped this session",
    Section.LATER: "Later",
}


@dataclass(frozen=True)
class _Row:
    section: Section
    entry: QueueEntry | None = None  # None: the section's heading
    count: int = 0


class QueueModel(QAbstractListModel):
    def __init__(self, zone: tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.now = datetime.now(UTC)
        self._rows: list[_Row] = []
        self.skip_reasons: dict[uuid.UUID, str] = {}
        self.more_waiting = False  # the queue holds customers beyond the page shown

    # -- filling ----------------------------------------------------------------------------
    def set_queue(self, queue: CallQueue | None, skip_reasons: dict[uuid.UUID, str]) -> None:
        self.beginResetModel()
        self.skip_reasons = dict(skip_reasons)
        self._rows = []
        self.more_waiting = queue is not None and not queue.is_complete
        if queue is not None:
            self.now = queue.at
            now = [e for e in queue.now if e.member not in skip_reasons]
            skipped = [e for e in queue.now if e.member in skip_reasons]
            for section, entries, total in (
                (Section.NOW, now, queue.now_total - len(skipped)),
                (Section.SKIPPED, skipped, len(skipped)),
                (Section.LATER, queue.later, queue.later_total),
            ):
                if section is Section.SKIPPED and not entries:
                    continue
                self._rows.append(_Row(section, None, total))
                self._rows.extend(_Row(section, entry) for entry in entries)
        self.endResetModel()

    def remove_member(self, member: uuid.UUID) -> None:
        """Takes a logged customer out at once; the next reload shows where they went."""
        row = self.row_of(member)
        if row < 0:
            return
        section = self._rows[row].section
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        for heading, item in enumerate(self._rows):
            if item.entry is None and item.section is section:
                self._rows[heading] = _Row(section, None, max(item.count - 1, 0))
                index = self.index(heading)
                self.dataChanged.emit(index, index)
                return

    def is_near_the_end(self, row: int, within: int) -> bool:
        """Whether ``row`` is among the last ``within`` customers held of a section that has
        more than the page holds."""
        section = self.section_at(row)
        if not self.more_waiting or section is None:
            return False
        held = [r for r, item in enumerate(self._rows) if item.entry and item.section is section]
        total = next(
            item.count for item in self._rows if item.entry is None and item.section is section
        )
        return total > len(held) and bool(held) and row > held[-1] - within

    # -- reading ----------------------------------------------------------------------------
    def entries(self, section: Section) -> list[QueueEntry]:
        return [r.entry for r in self._rows if r.section is section and r.entry is not None]

    def entry_at(self, row: int) -> QueueEntry | None:
        return self._rows[row].entry if 0 <= row < len(self._rows) else None

    def section_at(self, row: int) -> Section | None:
        return self._rows[row].section if 0 <= row < len(self._rows) else None

    def row_of(self, member: uuid.UUID) -> int:
        for row, item in enumerate(self._rows):
            if item.entry is not None and item.entry.member == member:
                return row
        return -1

    def first_row(self, section: Section) -> int:
        for row, item in enumerate(self._rows):
            if item.entry is not None and item.section is section:
                return row
        return -1

    def next_callable_row(self, after: int) -> int:
        """The first Now customer at or after ``after``; else the first one above it; else -1."""
        above = -1
        for row, item in enumerate(self._rows):
            if item.entry is not None and item.section is Section.NOW:
                if row >= after:
                    return row
                above = row
        return above

    # -- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].entry is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == SECTION_ROLE:
            return item.section.value
        if role == HEADING_ROLE:
            return item.entry is None
        if item.entry is None:
            return self._heading_data(item, role)
        entry = item.entry
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{entry.name}\n{self.describe(item)}"
        if role == WHY_ROLE:
            return self.describe(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            details = [self.describe(item)]
            if entry.phone:
                details.append(entry.phone)
            if entry.manager:
                details.append(f"Manager: {entry.manager}")
            return f"{entry.name}\n" + "\n".join(details)
        if role == Qt.ItemDataRole.ForegroundRole and item.section is not Section.NOW:
            return QBrush(QColor("#5f6b73"))
        return None

    def describe(self, item: _Row) -> str:
        assert item.entry is not None
        if item.section is Section.SKIPPED:
            return "Skipped: " + self.skip_reasons.get(item.entry.member, "")
        return wording.why(item.entry, self.now, self.zone)

    def _heading_data(self, item: _Row, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{SECTION_TITLES[item.section]} ({item.count})"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor("#e8eef2"))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#1f3a4d"))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{SECTION_TITLES[item.section]}, {item.count} customers"
        return None
