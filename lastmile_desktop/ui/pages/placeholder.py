"""A page that a later release fills; it says so in one line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from lastmile_desktop.ui.context import AppContext


class PlaceholderPage(QWidget):
    def __init__(self, title: str, line: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        body = QLabel(line)
        body.setObjectName("emptyState")
        body.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(1)
        body.setAlignment(Qt.AlignmentFlag.AlignLeft)


def placeholder(title: str, line: str) -> Callable[[AppContext], QWidget]:
    def build(_context: AppContext) -> QWidget:
        return PlaceholderPage(title, line)

    return build
