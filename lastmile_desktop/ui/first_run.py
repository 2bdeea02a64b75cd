"""Shown when the database is empty: two clear ways to begin, and the database's country."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lastmile_desktop.campaigns.database_settings import load_database_settings, save_default_region
from lastmile_desktop.countries import locale_country
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.ui.connect_dialog import CONNECT_SHORTCUT
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.packs.menu import IMPORT_PACK
from lastmile_desktop.ui.region_picker import RegionPicker

TEXT_WIDTH = 560
NOT_SURE_TEXT = "Not sure: work it out from each list's numbers"
REGION_HINT = (
    "Phone numbers and dates written without a country are read as they are written there. "
    "Change it later in File > Settings (Ctrl+,)."
)


class FirstRunPage(QWidget):
    import_requested = Signal()
    demo_requested = Signal()
    # A store's PC starts from the pack the regional lead sent, or from the chain's server.
    pack_requested = Signal()
    connect_requested = Signal()

    def __init__(
        self, database_name: str, context: AppContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
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
        self.import_button.clicked.connect(self._import_clicked)
        self.demo_button = QPushButton("Explore with demo data  (Ctrl+D)")
        self.demo_button.setToolTip("Opens a separate demo database; your own data is not touched.")
        self.demo_button.clicked.connect(self.demo_requested)
        for button in (self.import_button, self.demo_button):
            button.setMinimumWidth(320)
            button.setMinimumHeight(40)
        store_hint = QLabel("Setting up a store's PC?")
        store_hint.setObjectName("hint")
        store_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pack_button = QPushButton(f"Import a store pack...  ({IMPORT_PACK[1]})")
        self.pack_button.setToolTip("The workbook the regional lead exported for this store")
        self.pack_button.clicked.connect(self.pack_requested)
        self.connect_button = QPushButton(f"Connect to a server...  ({CONNECT_SHORTCUT})")
        self.connect_button.setToolTip("The chain's database server, with this store's login")
        self.connect_button.clicked.connect(self.connect_requested)
        store_row = QHBoxLayout()
        store_row.addWidget(self.pack_button)
        store_row.addWidget(self.connect_button)

        # Asked once, before the first list: the database's country, preselected from the locale.
        self.region = RegionPicker(NOT_SURE_TEXT)
        self.region.region_chosen.connect(self._save_region)
        region_label = QLabel("&Where are your customers? (Alt+W)")
        region_label.setBuddy(self.region)
        region_row = QHBoxLayout()
        region_row.addWidget(region_label)
        region_row.addWidget(self.region)
        self.region_hint = QLabel(REGION_HINT)
        self.region_hint.setObjectName("hint")
        self.region_hint.setWordWrap(True)
        self.region_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.region_hint.setFixedWidth(TEXT_WIDTH)
        self._region_saved = False
        self._preselect_region()

        layout.addWidget(title)
        layout.addWidget(intro, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(where, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(10)
        layout.addLayout(region_row)
        layout.addWidget(self.region_hint, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(10)
        layout.addWidget(self.import_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.demo_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addSpacing(18)
        layout.addWidget(store_hint, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(store_row)

    def _preselect_region(self) -> None:
        stored = load_database_settings(self.context.db).default_region
        self._region_saved = stored is not None
        self.region.set_region(stored or locale_country())

    def _save_region(self, region: str | None) -> None:
        try:
            save_default_region(self.context.db, region, self.context.profile)
        except UserFacingError as error:
            self.region_hint.setText(str(error))
            return
        self._region_saved = True
        self.region_hint.setText(REGION_HINT)

    def _import_clicked(self) -> None:
        # The country shown is the answer when it was left as preselected.
        if not self._region_saved:
            self._save_region(self.region.region())
        self.import_requested.emit()
