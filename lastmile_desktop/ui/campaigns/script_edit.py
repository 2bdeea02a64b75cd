"""The call-script box: placeholders coloured as you type, unknown ones underlined and listed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.script import PLACEHOLDERS, find_placeholders, unknown_placeholders
from lastmile_desktop.ui.assign.widgets import show_warning, warning_label

KNOWN_COLOUR = QColor("#1f6f8b")
UNKNOWN_COLOUR = QColor("#b3261e")
INSERT_TIP = "Insert a placeholder the call screen fills in (Ctrl+K)"


class PlaceholderHighlighter(QSyntaxHighlighter):
    """Known placeholders in blue; unknown ones red with a wavy underline, like a misspelling."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.known_format = QTextCharFormat()
        self.known_format.setForeground(KNOWN_COLOUR)
        self.known_format.setFontWeight(QFont.Weight.DemiBold)
        self.unknown_format = QTextCharFormat()
        self.unknown_format.setForeground(UNKNOWN_COLOUR)
        self.unknown_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.unknown_format.setUnderlineColor(UNKNOWN_COLOUR)
        self.unknown_format.setToolTip("The call screen cannot fill this placeholder.")

    def highlightBlock(self, text: str) -> None:
        # The service's parser, block by block: placeholders never span lines.
        for use in find_placeholders(text):
            chosen = self.known_format if use.known else self.unknown_format
            self.setFormat(use.start, use.end - use.start, chosen)


def describe_unknown(names: list[str]) -> str:
    """The line under the script: which placeholders cannot be filled, or nothing."""
    if not names:
        return ""
    listed = ", ".join("{" + name + "}" for name in names)
    noun = "placeholder" if len(names) == 1 else "placeholders"
    return (
        f"Unknown {noun}: {listed}. The call screen cannot fill "
        f"{'it' if len(names) == 1 else 'them'}; pick one from Insert placeholder."
    )


class ScriptEdit(QWidget):
    """A plain-text script with live placeholder checks and an Insert placeholder menu."""

    # The unknown placeholders changed (after each edit); the list may be empty.
    unknown_changed = Signal(list)
    text_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("scriptEdit")
        self.editor.setPlaceholderText(
            "Hello {first_name}, this is {manager} from {store}. "
            "We have not seen you for {days_since_last_purchase} days..."
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(110)
        self.editor.setMaximumHeight(180)
        self.highlighter = PlaceholderHighlighter(self.editor.document())

        self.insert_button = QToolButton()
        self.insert_button.setText("Insert placeholder")
        self.insert_button.setToolTip(INSERT_TIP)
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.insert_menu = QMenu(self.insert_button)
        for placeholder in PLACEHOLDERS:
            action = QAction(f"{placeholder.token}  —  {placeholder.description}", self)
            action.setToolTip(f"e.g. {placeholder.example}")
            action.triggered.connect(
                lambda _=False, token=placeholder.token: self.insert_placeholder(token)
            )
            self.insert_menu.addAction(action)
        self.insert_button.setMenu(self.insert_menu)
        shortcut = QAction(self)
        shortcut.setShortcut("Ctrl+K")
        shortcut.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.triggered.connect(self.insert_button.showMenu)
        self.addAction(shortcut)

        self.unknown_label = warning_label()

        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(self.unknown_label, 1)
        tools.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        layout.addLayout(tools)

        self._unknown: list[str] = []
        self.editor.textChanged.connect(self._on_text_changed)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)
        self._on_text_changed()

    def unknown(self) -> list[str]:
        return list(self._unknown)

    def insert_placeholder(self, token: str) -> None:
        self.editor.insertPlainText(token)
        self.editor.setFocus()

    def _on_text_changed(self) -> None:
        unknown = unknown_placeholders(self.text())
        show_warning(self.unknown_label, describe_unknown(unknown))
        if unknown != self._unknown:
            self._unknown = unknown
            self.unknown_changed.emit(unknown)
        self.text_changed.emit()
