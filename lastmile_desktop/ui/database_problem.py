"""The start screen when the chosen database cannot be opened: what is wrong, and a way on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop import APP_NAME
from lastmile_desktop.ui.connect_dialog import (
    CONNECT_SHORTCUT,
    ConnectDialog,
    open_connect_dialog,
)

DATABASE_FILTER = "Databases (*.sqlite3 *.db);;All files (*)"
TEXT_WIDTH = 560


def ask_for_database(parent: QWidget | None) -> str | None:
    """The database file the user picks, or None if they cancel."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open a Last Mile database", str(Path.home()), DATABASE_FILTER
    )
    return path or None


class DatabaseProblemWindow(QMainWindow):
    """Says why the database did not open (the sentence the command line prints too)."""

    open_database_requested = Signal(str)

    def __init__(self, problem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — the database could not be opened")
        self.resize(760, 420)
        page = QWidget()
        page.setObjectName("firstRun")
        layout = QVBoxLayout(page)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(14)

        title = QLabel("This database cannot be opened")
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem_label = QLabel(problem)
        self.problem_label.setObjectName("welcomeIntro")
        self.problem_label.setWordWrap(True)
        self.problem_label.setFixedWidth(TEXT_WIDTH)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.open_button = QPushButton("Open another database...  (Ctrl+Shift+O)")
        self.open_button.setObjectName("primaryButton")
        self.open_button.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_button.clicked.connect(self.choose_database)
        self.connect_button = QPushButton(f"Connect to a server...  ({CONNECT_SHORTCUT})")
        self.connect_button.setShortcut(QKeySequence(CONNECT_SHORTCUT))
        self.connect_button.clicked.connect(self.open_connect_dialog)
        self.connect_dialog: ConnectDialog | None = None
        self.quit_button = QPushButton("Quit  (Ctrl+Q)")
        self.quit_button.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_button.clicked.connect(self.close)
        for button in (self.open_button, self.connect_button, self.quit_button):
            button.setMinimumWidth(320)
            button.setMinimumHeight(40)

        layout.addWidget(title)
        layout.addWidget(self.problem_label, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(10)
        layout.addWidget(self.open_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.connect_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.quit_button, alignment=Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(page)

    def show_problem(self, problem: str) -> None:
        self.problem_label.setText(problem)

    def choose_database(self) -> None:
        path = ask_for_database(self)
        if path:
            self.open_database_requested.emit(path)

    def open_connect_dialog(self) -> ConnectDialog:
        """Another server, or the same one typed again (its address changed)."""
        self.connect_dialog = open_connect_dialog(self, self.open_database_requested.emit)
        return self.connect_dialog
