"""The main window: navigation on the left, one page at a time on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from lastmile_desktop import APP_NAME
from lastmile_desktop.overview import summarize
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.first_run import FirstRunPage
from lastmile_desktop.ui.navigation import NavigationList
from lastmile_desktop.ui.pages import PageSpec, page_specs
from lastmile_desktop.ui.profile import ProfileSwitcher

SPREADSHEET_FILTER = "Customer lists (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv);;All files (*)"
SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_LAST_PAGE = "main_window/last_page"
DEFAULT_SIZE = (1200, 780)
TITLE_BAR_ALLOWANCE = 40


class MainWindow(QMainWindow):
    demo_requested = Signal()
    open_database_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(f"{APP_NAME} — {context.db.display_name}")
        self.setAcceptDrops(True)
        self._fit_first_size()

        self.specs: list[PageSpec] = page_specs()
        self.pages: dict[str, QWidget] = {}
        self.navigation = NavigationList()
        self.navigation.setFixedWidth(200)
        self.stack = QStackedWidget()
        for spec in self.specs:
            page = spec.factory(context)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            shortcut = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            self.navigation.add_page(spec.key, spec.title, shortcut)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.currentChanged.connect(self._size_to_current_page)

        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.workspace = workspace

        self.first_run = FirstRunPage(context.db.display_name)
        self.first_run.import_requested.connect(self.choose_file_to_import)
        self.first_run.demo_requested.connect(self.demo_requested)

        self.root = QStackedWidget()
        self.root.addWidget(self.workspace)
        self.root.addWidget(self.first_run)
        self.setCentralWidget(self.root)

        self._build_menus()
        self.profile_switcher = ProfileSwitcher(self, context)
        context.navigate_requested.connect(self.show_page)
        context.data_changed.connect(self.refresh_first_run)
        self._restore_settings()
        self.refresh_first_run()

    # -- navigation -------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        import_action = QAction("&Import a customer list...", self)
        import_action.setShortcut(QKeySequence("Ctrl+O"))
        import_action.triggered.connect(self.choose_file_to_import)
        open_action = QAction("Open &database...", self)
        open_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        open_action.triggered.connect(self.choose_database)
        demo_action = QAction("Explore with &demo data", self)
        demo_action.triggered.connect(self.demo_requested)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        for action in (import_action, open_action, demo_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        for spec in self.specs:
            action = QAction(spec.title, self)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_page(key))
            go_menu.addAction(action)

    def show_page(self, key: str) -> None:
        keys = [spec.key for spec in self.specs]
        if key not in keys:
            return
        self.root.setCurrentWidget(self.workspace)
        self.navigation.setCurrentRow(keys.index(key))

    def _fit_first_size(self) -> None:
        # Never larger than the screen at first start (a 1280x720 laptop, or a larger one at
        # 150%), leaving room for the title bar the window system adds.
        available = self.screen().availableGeometry()
        self.resize(
            min(DEFAULT_SIZE[0], available.width()),
            min(DEFAULT_SIZE[1], available.height() - TITLE_BAR_ALLOWANCE),
        )

    def _size_to_current_page(self, current: int) -> None:
        # Only the page on screen sets how small the window may get: a wide page elsewhere
        # must not keep the call desk from fitting a 1280x720 screen.
        for index, page in enumerate(self.pages.values()):
            shown = QSizePolicy.Policy.Preferred if index == current else QSizePolicy.Policy.Ignored
            page.setSizePolicy(shown, shown)

    def current_page_key(self) -> str:
        row = self.navigation.currentRow()
        return self.specs[row].key if 0 <= row < len(self.specs) else self.specs[0].key

    def is_showing_first_run(self) -> bool:
        return self.root.currentWidget() is self.first_run

    def refresh_first_run(self) -> None:
        empty = summarize(self.context.db).is_empty
        self.root.setCurrentWidget(self.first_run if empty else self.workspace)

    # -- files ------------------------------------------------------------------------------
    def choose_file_to_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a customer list", str(Path.home()), SPREADSHEET_FILTER
        )
        if path:
            self.request_import(path)

    def request_import(self, path: str) -> None:
        self.show_page("import")
        self.context.import_file_requested.emit(path)

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a Last Mile database", str(Path.home()), "Databases (*.sqlite3 *.db)"
        )
        if path:
            self.open_database_requested.emit(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.request_import(files[0])

    # -- settings ---------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        last_page = settings.value(SETTINGS_LAST_PAGE, self.specs[0].key)
        self.show_page(str(last_page))
        if self.navigation.currentRow() < 0:
            self.navigation.setCurrentRow(0)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_LAST_PAGE, self.current_page_key())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        super().closeEvent(event)
