"""Step 1: pick the file, by button, menu (Ctrl+O) or drag and drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading
from lastmile_desktop.ui.main_window import SPREADSHEET_FILTER

DROP_TITLE = "Drop a customer list here"
CHOOSE_TIP = "Pick the file head office sent"
FORMATS_SENTENCE = (
    "Excel workbooks (.xlsx, .xlsm, .xls, .xlsb), OpenDocument spreadsheets (.ods) "
    "and CSV files work."
)
# The same filter as the window's File menu, so both pickers offer the same files.
FILE_FILTER = SPREADSHEET_FILTER


def local_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
    return [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]


class DropZone(QFrame):
    """A large target that says what it takes; highlighted while a file hovers over it."""

    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setProperty("hovered", False)
        self.setMinimumHeight(220)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(10)
        self.title = QLabel(DROP_TITLE)
        self.title.setObjectName("dropTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.formats = QLabel(FORMATS_SENTENCE)
        self.formats.setObjectName("emptyState")
        self.formats.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The main window owns Ctrl+O (File menu); the label says so, the button just clicks.
        self.choose_button = QPushButton("Choose file...  (Ctrl+O)")
        self.choose_button.setObjectName("primaryButton")
        self.choose_button.setMinimumWidth(240)
        self.choose_button.setMinimumHeight(36)
        layout.addWidget(self.title)
        layout.addWidget(self.formats)
        layout.addSpacing(6)
        layout.addWidget(self.choose_button, alignment=Qt.AlignmentFlag.AlignCenter)

    def set_allowed(self, allowed: bool, reason: str) -> None:
        """Offer the drop and the picker only to a profile that may import; say why not."""
        self.setAcceptDrops(allowed)
        self.title.setText(DROP_TITLE if allowed else reason)
        self.formats.setVisible(allowed)
        self.choose_button.setEnabled(allowed)
        self.choose_button.setToolTip(CHOOSE_TIP if allowed else reason)

    def _set_hovered(self, hovered: bool) -> None:
        self.setProperty("hovered", hovered)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()
            self._set_hovered(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hovered(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hovered(False)
        files = local_files(event)
        if files:
            event.acceptProposedAction()
            self.file_dropped.emit(files[0])


class FileStep(QWidget):
    file_chosen = Signal(str)
    choose_requested = Signal()  # the page opens the file picker (tests can skip it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = StepHeading(
            "Choose the customer list",
            "Use the file head office sent, as it is: Last Mile finds the list, its header "
            "row and its columns, and shows you everything before anything is saved.",
        )
        self.drop_zone = DropZone()
        self.drop_zone.file_dropped.connect(self.file_chosen)
        self.drop_zone.choose_button.clicked.connect(self.choose_requested)
        self.message = InlineMessage()
        self.last_file = QLabel()  # the file being worked on, when the user comes back here
        self.last_file.setObjectName("hint")
        self.last_file.hide()
        layout.addWidget(self.heading)
        layout.addSpacing(8)
        layout.addWidget(self.drop_zone, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.last_file)
        layout.addStretch(0)

    def show_error(self, text: str) -> None:
        self.message.show_message(text, "error")

    def clear(self) -> None:
        self.message.clear_message()

    def set_file(self, path: Path | None) -> None:
        if path is None:
            self.last_file.hide()
            return
        self.last_file.setText(
            f"Open now: {path.name} (in {path.parent}). Drop or choose another file to start "
            "over with it."
        )
        self.last_file.show()

    def focus_default(self) -> None:
        self.drop_zone.choose_button.setFocus()
