"""The outcome bar: one button per outcome of the catalogue, each with the key that logs it.

When an outcome needs one more answer, its editor takes the bar's place until Enter or Esc.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from lastmile_desktop.calling.outcomes import OUTCOMES, Outcome, Schedule
from lastmile_desktop.ui.desk.editors import InlineEditor


class KeyButton(QPushButton):
    """A button that shows its key as a key cap before its label: [N] No answer."""

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyButton")
        self.key_label = QLabel(key)
        self.key_label.setObjectName("keyCap")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = QLabel(label)
        self.text_label.setObjectName("keyButtonText")
        # Long labels ("Interested - no commitment") take two lines rather than widen the
        # bar past a 1280-pixel screen.
        self.text_label.setWordWrap(True)
        for child in (self.key_label, self.text_label):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 8, 4)
        row.setSpacing(8)
        row.addWidget(self.key_label)
        row.addWidget(self.text_label, 1)
        self.setAccessibleName(f"{label} ({key})")
        self.setToolTip(f"{label}  ({key})")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys work from anywhere on the desk
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        layout = self.layout()
        inner = layout.sizeHint() if layout is not None else QSize(0, 0)
        return QSize(max(inner.width(), 120), max(inner.height(), 38))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.key_label.sizeHint().width() + 60, 38)


class OutcomeBar(QStackedWidget):
    # An outcome button was clicked (its key is handled by the page's actions).
    outcome_clicked = Signal(object)  # Outcome

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeBar")
        self.buttons: dict[str, KeyButton] = {}
        bar = QWidget()
        grid = QGridLayout(bar)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        # Not reached on the first row, reached on the second: the eye finds the row first.
        not_reached = [o for o in OUTCOMES if not o.reached]
        reached = [o for o in OUTCOMES if o.reached]
        for row, outcomes in enumerate((not_reached, reached)):
            for column, outcome in enumerate(outcomes):
                button = KeyButton(outcome.key, outcome.label)
                button.setProperty("tone", _tone(outcome))
                button.clicked.connect(
                    lambda _checked=False, chosen=outcome: self.outcome_clicked.emit(chosen)
                )
                self.buttons[outcome.code] = button
                grid.addWidget(button, row, column)
        self.bar = bar
        self.addWidget(bar)
        self.editor: InlineEditor | None = None

    def open_editor(self, editor: InlineEditor) -> None:
        self.close_editor()
        self.editor = editor
        self.addWidget(editor)
        self.setCurrentWidget(editor)
        editor.start()

    def close_editor(self) -> None:
        if self.editor is not None:
            self.removeWidget(self.editor)
            self.editor.deleteLater()
            self.editor = None
        self.setCurrentWidget(self.bar)

    def set_buttons_enabled(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)


def _tone(outcome: Outcome) -> str:
    """Colour family of a button, read from the catalogue: the win, the one to be sure of."""
    if outcome.adds_to_do_not_call:
        return "careful"
    if outcome.schedules is Schedule.VISIT_REMINDER:
        return "good"
    return "reached" if outcome.reached else "neutral"
