"""Shown when the database is empty: two clear ways to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

TEXT_WIDTH = 560


class FirstRunPage(QWidget):
    import_requested = Signal()
    demo_requested = Signal()

    def __init__(self, database_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRun")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(14)

        title = QLabel("Welcome to Last Mile")
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        intro = QLabel(
            "Bring lapsed customers back: import the list head office sent, share it out "
            "between stores, call, and see what calling brought back."
        )
        intro.setObjectName("welcomeIntro")
        intro.setWordWrap(True)
        intro.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A fixed width: a wrapped label in a centred layout otherwise shrinks to a sliver.
        intro.setFixedWidth(TEXT_WIDTH)
        # The path can be long and has no spaces to wrap at: elide its middle, full in the tip.
        where = QLabel()
        where.setObjectName("hint")
        where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        where.setFixedWidth(TEXT_WIDTH)
        where.setText(
            where.fontMetrics().elidedText(
                f"This database is empty: {database_name}", Qt.TextElideMode.ElideMiddle, TEXT_WIDTH
            )
        )
        where.setToolTip(database_name)

        # The keys belong to the File menu's entries, which do the same: one owner per key.
        self.import_button = QPushButton("Import a customer list...  (Ctrl+O)")
        self.import_button.setObjectName("primaryButton")
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button = QPushButton("Explore with demo data  (Ctrl+D)")
        self.demo_button.setToolTip("Opens a separate demo database; your own data is not touched.")
        self.demo_button.clicked.connect(self.demo_requested)
        for button in (self.import_button, self.demo_button):
            button.setMinimumWidth(320)
            button.setMinimumHeight(40)

        layout.addWidget(title)
        layout.addWidget(intro, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(where, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(10)
        layout.addWidget(self.import_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.demo_button, alignment=Qt.AlignmentFlag.AlignCenter)
