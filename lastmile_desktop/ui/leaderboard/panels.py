"""The heroes and the gaps beside the store table: the services' sentences, shown as they come.

The sentences are facts in neutral words (``leaderboard.sentences``); the page adds nothing
to them but headings. The gaps list shows the picked store's gaps (all stores' when none is
picked); Enter or a double click on one lists the customers behind it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from lastmile_desktop.leaderboard.model import Gap, Hero, Leaderboard
from lastmile_desktop.ui.leaderboard import wording

GAP_ROLE = Qt.ItemDataRole.UserRole + 1
NOT_YOURS_TIP = "The customers behind another store's figures are for its own manager and the lead."


def _section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("panelTitle")
    label.setWordWrap(True)
    return label


def _sentences(heroes: list[Hero], empty: str) -> str:
    return "\n".join(f"• {hero.text}" for hero in heroes) if heroes else empty


class HeroesPanel(QWidget):
    """The two lists of heroes, each sentence whole: the panel is as tall as its text needs
    at its fixed ``width``, and the gaps list below takes what is left."""

    def __init__(self, width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(width)
        self.best_title = _section_title("Best right now")
        self.best = QLabel()
        self.improved_title = _section_title("Most improved")
        self.improved = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        for label in (self.best, self.improved):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.best_title)
        layout.addWidget(self.best)
        layout.addSpacing(4)
        layout.addWidget(self.improved_title)
        layout.addWidget(self.improved)

    def show_board(self, board: Leaderboard, campaign_start: date | None) -> None:
        """``campaign_start``: the campaign's first day, when known."""
        self.best.setText(_sentences(board.best_now, wording.NO_BEST))
        self.improved_title.setText(wording.most_improved_title(board))
        empty = wording.no_most_improved(board, campaign_start)
        self.improved.setText(_sentences(board.most_improved, empty))
        for label in (self.best_title, self.best, self.improved_title, self.improved):
            # Wrapped text gets its height from its width, which is fixed here.
            label.setMinimumHeight(label.heightForWidth(self.width()))

    def texts(self) -> list[str]:
        return [self.best.text(), self.improved.text()]


class GapsPanel(QWidget):
    # A gap was opened (Enter or double click): the Gap.
    gap_opened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _section_title("G&aps")
        self.list = QListWidget()
        self.list.setObjectName("gapsList")
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.title.setBuddy(self.list)
        self.list.itemDoubleClicked.connect(self._open)
        for keys in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._open(self.list.currentItem()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.gaps: list[Gap] = []
        self.drillable: set[str] = set()

    def show_gaps(self, gaps: list[Gap], store: str | None, drillable: set[str]) -> None:
        """The gaps of ``store`` (every store's, under headings, when None)."""
        self.gaps = gaps
        self.drillable = drillable
        self.list.clear()
        shown = [gap for gap in gaps if store is None or gap.store == store]
        self.title.setText(f"G&aps: {store}" if store is not None else "G&aps: every store")
        heading: str | None = None
        for gap in shown:
            if store is None and gap.store != heading:
                heading = gap.store
                header = QListWidgetItem(gap.store)
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not picked
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.list.addItem(header)
            item = QListWidgetItem(wording.without_store(gap.text, gap.store))
            item.setData(GAP_ROLE, gap)
            if gap.store not in drillable:
                item.setToolTip(NOT_YOURS_TIP)
            else:
                item.setToolTip("Enter or double click: the customers behind this figure")
            self.list.addItem(item)
        if not shown:
            empty = QListWidgetItem(wording.NO_GAPS)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)

    def texts(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def _open(self, item: QListWidgetItem | None) -> None:
        gap = item.data(GAP_ROLE) if item is not None else None
        if isinstance(gap, Gap) and gap.store in self.drillable:
            self.gap_opened.emit(gap)
