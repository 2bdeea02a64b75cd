"""Small widgets the campaign, store, do-not-call and assign screens share."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

WARNING_STYLE = "color: #b3261e;"
HINT_STYLE = "color: #5f6b73;"
SEARCH_DELAY_MS = 150


def warning_label(text: str = "") -> QLabel:
    """Red, wrapped text for a problem the user can fix; hidden while empty."""
    label = QLabel(text)
    label.setStyleSheet(WARNING_STYLE)
    label.setWordWrap(True)
    label.setVisible(bool(text))
    return label


def show_warning(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(True)
    return label


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


class SearchBox(QLineEdit):
    """A search field that reports what was typed once the typing pauses (debounced)."""

    search_changed = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(lambda _text: self._timer.start())
        self._last = ""

    def _emit(self) -> None:
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)


SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class ReasonDialog(QDialog):
    """Asks for a reason that is kept with the change; OK stays disabled until one is typed.

    Enter starts a new line in the reason; Ctrl+Enter presses OK.
    """

    def __init__(
        self,
        title: str,
        question: str,
        *,
        placeholder: str = "",
        ok_text: str = "OK",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        label = QLabel(question)
        label.setWordWrap(True)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(placeholder)
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(80)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(f"{ok_text}  (Ctrl+Enter)")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        for keys in SUBMIT_KEYS:
            submit = QShortcut(QKeySequence(keys), self)
            submit.activated.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.reason().strip()))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        if self.ok_button.isEnabled():
            self.accept()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()
