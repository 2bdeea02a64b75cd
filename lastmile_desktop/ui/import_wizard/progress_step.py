"""Step 5: the import running off the GUI thread, with a progress bar and Cancel (Esc)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from lastmile_desktop.ui.import_wizard.widgets import StepHeading


class ProgressStep(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = StepHeading(
            "Importing",
            "Everything is saved in one go at the end: if you cancel, nothing is changed.",
        )
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.bar.setMinimumWidth(420)
        self.message = QLabel("Starting...")
        self.message.setObjectName("hint")
        self.cancel_button = QPushButton("Cancel  (Esc)")
        self.cancel_button.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addSpacing(40)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addSpacing(12)
        layout.addWidget(self.cancel_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def start(self, file_name: str) -> None:
        self.heading.title.setText(f"Importing {file_name}")
        self.bar.setRange(0, 0)  # busy until the first report says how many rows
        self.message.setText("Reading the file...")
        self.cancel_button.setEnabled(True)

    def show_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        number = QLocale().toString
        counted = f"{number(done)} of {number(total)} rows" if total > 0 else ""
        self.message.setText(" · ".join(part for part in (message, counted) if part))

    def _cancel(self) -> None:
        if not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.message.setText("Cancelling: undoing everything this import did...")
        self.cancel_requested.emit()

    def focus_default(self) -> None:
        self.cancel_button.setFocus()
