"""The main window: navigation on the left, one page at a time on the right.

Pages keep what they show up to date themselves, from the changes announced through the
``AppContext``. The window adds F5 (refresh the page shown) and, while it is the active
window, a cheap look every ``OUTSIDE_CHANGES_POLL_MS`` for commits made by another process
(the command line, another window), which it announces as an EXTERNAL change.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QPoint,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from lastmile_desktop import APP_NAME
from lastmile_desktop.campaigns.access import LeadAction, lead_only
from lastmile_desktop.overview import is_empty
from lastmile_desktop.storage.reachability import is_unreachable
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.connect_dialog import (
    CONNECT_SHORTCUT,
    ConnectDialog,
    open_connect_dialog,
)
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.database_problem import ask_for_database
from lastmile_desktop.ui.first_run import FirstRunPage
from lastmile_desktop.ui.help import UserGuideDialog, open_about, open_user_guide
from lastmile_desktop.ui.leaderboard.sales_import import (
    IMPORT_SALES_ACTION,
    IMPORT_SALES_SHORTCUT,
    IMPORT_SALES_TIP,
    SalesImport,
)
from lastmile_desktop.ui.navigation import OWN_TOOLTIP_ROLE, NavigationList
from lastmile_desktop.ui.outbox_status import OutboxStatus
from lastmile_desktop.ui.packs.menu import StorePacks
from lastmile_desktop.ui.pages import PageSpec, page_specs
from lastmile_desktop.ui.permissions import permit_lead
from lastmile_desktop.ui.profile import ProfileSwitcher
from lastmile_desktop.ui.settings_dialog import SETTINGS_SHORTCUT, SettingsDialog

SPREADSHEET_FILTER = "Customer lists (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv);;All files (*)"
SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_LAST_PAGE = "main_window/last_page"
IMPORT_PAGE = "import"
IMPORT_TIP = "Import the customer list head office sent"
DEFAULT_SIZE = (1200, 780)
TITLE_BAR_ALLOWANCE = 40  # what a window system's title bar takes, at most, before it is known
# Reading SQLite's data_version costs microseconds; every 1.5 s is quick enough to notice.
OUTSIDE_CHANGES_POLL_MS = 1500


class MainWindow(QMainWindow):
    demo_requested = Signal()
    open_database_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(f"{APP_NAME} — {context.db.display_name}")
        self.setAcceptDrops(True)
        self.resize(*DEFAULT_SIZE)
        self._fit_again_when_shown: QSize | None = None
        self.user_guide: UserGuideDialog | None = None
        self.about_box: QMessageBox | None = None
        self.sales_import: SalesImport | None = None
        self.connect_dialog: ConnectDialog | None = None
        # Outcomes kept while the database server could not be reached (a server only).
        self.outbox_status: OutboxStatus | None = None

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
        self.navigation.currentRowChanged.connect(lambda _row: self._update_tab_actions())
        self.stack.currentChanged.connect(self._size_to_current_page)

        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.workspace = workspace

        self.first_run = FirstRunPage(context.db.display_name, context)
        self.first_run.import_requested.connect(self.choose_file_to_import)
        self.first_run.demo_requested.connect(self.demo_requested)

        self.root = QStackedWidget()
        self.root.addWidget(self.workspace)
        self.root.addWidget(self.first_run)
        self.setCentralWidget(self.root)

        self._build_menus()
        self.profile_switcher = ProfileSwitcher(self, context)
        if context.outbox is not None:
            self.outbox_status = OutboxStatus(self, context, context.outbox)
            self.file_menu.insertAction(self.connect_action, self.outbox_status.send_action)
        self._build_help_menu()
        context.navigate_requested.connect(self.show_page)
        context.changed.connect(self._on_changed)
        context.profile_changed.connect(lambda _profile: self._apply_profile())
        self._apply_profile()
        self.outside_changes_timer = QTimer(self)
        self.outside_changes_timer.setInterval(OUTSIDE_CHANGES_POLL_MS)
        self.outside_changes_timer.timeout.connect(context.check_for_outside_changes)
        self._restore_settings()
        self.refresh_first_run()

    # -- menus ------------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        # The File menu owns Ctrl+O and Ctrl+D for the whole window, the first-run screen's
        # buttons included: a second owner of the same keys would make both do nothing.
        file_menu = self.menuBar().addMenu("&File")
        file_menu.setToolTipsVisible(True)
        self.file_menu = file_menu
        self.import_action = self._action("&Import a customer list...", "Ctrl+O")
        self.import_action.triggered.connect(self.choose_file_to_import)
        self.import_sales_action = self._action(
            "Import s&ales from the till...", IMPORT_SALES_SHORTCUT
        )
        self.import_sales_action.triggered.connect(self.choose_sales_file)
        open_action = self._action("Open &database...", "Ctrl+Shift+O")
        open_action.triggered.connect(self.choose_database)
        self.demo_action = self._action("Explore with de&mo data", "Ctrl+D")
        self.demo_action.triggered.connect(self.demo_requested)
        self.connect_action = self._action("Connect to a ser&ver...", CONNECT_SHORTCUT)
        self.connect_action.setToolTip(
            "Work on the chain's database server: its address, your login and password"
        )
        self.connect_action.triggered.connect(self.open_connect_dialog)
        quit_action = self._action("&Quit", QKeySequence(QKeySequence.StandardKey.Quit))
        self.settings_action = self._action("&Settings...", SETTINGS_SHORTCUT)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        settings_action = self.settings_action
        quit_action.triggered.connect(self.close)
        for action in (self.import_action, self.import_sales_action, open_action, self.demo_action):
            file_menu.addAction(action)
        self.store_packs = StorePacks(self.context, self)
        self.store_packs.add_to(file_menu)
        self.first_run.pack_requested.connect(self.store_packs.import_pack)
        self.first_run.connect_requested.connect(self.connect_action.trigger)
        file_menu.addSeparator()
        file_menu.addAction(self.connect_action)
        file_menu.addSeparator()
        file_menu.addAction(settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action, self.redo_action = self.context.undo_actions()
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        go_menu = self.menuBar().addMenu("&Go")
        go_menu.setToolTipsVisible(True)
        self.go_actions: dict[str, QAction] = {}
        for spec in self.specs:
            action = self._action(f"&{spec.title}", spec.shortcut)
            action.triggered.connect(lambda _=False, key=spec.key: self.show_page(key))
            go_menu.addAction(action)
            self.go_actions[spec.key] = action
        go_menu.addSeparator()
        # Window-wide, so the keys switch tabs wherever the focus is (a table, the sidebar).
        self.next_tab_action = self._action("&Next tab", "Ctrl+Tab")
        self.next_tab_action.triggered.connect(lambda: self.switch_tab(1))
        self.previous_tab_action = self._action("&Previous tab", "Ctrl+Shift+Tab")
        self.previous_tab_action.triggered.connect(lambda: self.switch_tab(-1))
        self.refresh_action = self._action("&Refresh this page", "F5")
        self.refresh_action.setToolTip("Read this page again from the database")
        self.refresh_action.triggered.connect(self.refresh_current_page)
        for action in (self.next_tab_action, self.previous_tab_action, self.refresh_action):
            go_menu.addAction(action)

    def may_show(self, key: str) -> bool:
        """Whether the profile in use may open the page: the Import page is the lead's."""
        return key != IMPORT_PAGE or self.context.profile.is_lead

    def _apply_profile(self) -> None:
        """Offer importing to the lead only; a manager sees why it is not offered to them."""
        profile = self.context.profile
        for target in (self.import_action, self.go_actions[IMPORT_PAGE]):
            permit_lead(target, profile, LeadAction.IMPORT, IMPORT_TIP)
        permit_lead(self.first_run.import_button, profile, LeadAction.IMPORT, IMPORT_TIP)
        permit_lead(self.import_sales_action, profile, IMPORT_SALES_ACTION, IMPORT_SALES_TIP)
        item = self.navigation.item([spec.key for spec in self.specs].index(IMPORT_PAGE))
        if item is not None:
            flags = item.flags()
            enabled = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            item.setFlags(flags | enabled if profile.is_lead else flags & ~enabled)
            item.setToolTip(
                item.data(OWN_TOOLTIP_ROLE) if profile.is_lead else lead_only(LeadAction.IMPORT)
            )
        if not self.may_show(self.current_page_key()):
            self.show_page(self._first_allowed_page())

    def _first_allowed_page(self) -> str:
        return next(spec.key for spec in self.specs if self.may_show(spec.key))

    def _build_help_menu(self) -> None:
        help_menu = self.menuBar().addMenu("&Help")
        guide_action = self._action("&User guide", "F1")
        guide_action.triggered.connect(self.show_user_guide)
        about_action = self._action(f"&About {APP_NAME}")
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(guide_action)
        help_menu.addAction(about_action)

    def show_user_guide(self) -> UserGuideDialog:
        self.user_guide = open_user_guide(self)
        return self.user_guide

    def show_about(self) -> QMessageBox:
        self.about_box = open_about(self, self.context.db.display_name)
        return self.about_box

    # -- navigation -------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        keys = [spec.key for spec in self.specs]
        if key not in keys or not self.may_show(key):
            return
        self.root.setCurrentWidget(self.workspace)
        self.navigation.setCurrentRow(keys.index(key))

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

    def current_page(self) -> QWidget:
        return self.pages[self.current_page_key()]

    def refresh_first_run(self) -> None:
        try:
            empty = is_empty(self.context.db)
        except Exception as error:
            if not is_unreachable(error):
                raise
            return  # the database server is out of reach: the page shown says so itself
        self.root.setCurrentWidget(self.first_run if empty else self.workspace)
        self._update_tab_actions()

    def _on_changed(self, change: Changed) -> None:
        # Only these make a database empty or not; counting a million calls after each
        # logged call would make the call desk wait.
        if change.touches(ChangeKind.IMPORTED, ChangeKind.CAMPAIGN_CHANGED):
            self.refresh_first_run()

    def refresh_current_page(self) -> None:
        """F5: the page shown, read again; selections and unsaved edits stay."""
        self.refresh_first_run()
        refresh = getattr(self.current_page(), "refresh_page", None)
        if callable(refresh):
            refresh()

    def _page_tabs(self) -> QTabWidget | None:
        if self.is_showing_first_run():
            return None
        tabs = getattr(self.current_page(), "tabs", None)
        return tabs if isinstance(tabs, QTabWidget) else None

    def _update_tab_actions(self) -> None:
        has_tabs = self._page_tabs() is not None
        self.next_tab_action.setEnabled(has_tabs)
        self.previous_tab_action.setEnabled(has_tabs)

    def switch_tab(self, step: int) -> None:
        tabs = self._page_tabs()
        if tabs is None or tabs.count() == 0:
            return
        tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())

    # -- changes made elsewhere -------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange:
            if self.isActiveWindow():
                # Back in the window: whatever happened meanwhile shows at once.
                self.context.check_for_outside_changes()
                self.outside_changes_timer.start()
            else:
                self.outside_changes_timer.stop()
        super().changeEvent(event)

    def open_settings(self) -> None:
        SettingsDialog(self.context, self).exec()

    # -- files ------------------------------------------------------------------------------
    def choose_file_to_import(self) -> None:
        if not self.context.profile.is_lead:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a customer list", str(Path.home()), SPREADSHEET_FILTER
        )
        if path:
            self.request_import(path)

    def choose_sales_file(self) -> SalesImport | None:
        """File > Import sales from the till: a sales extract, imported in the background."""
        if not self.context.profile.is_lead:
            return None
        self.sales_import = SalesImport(self.context, self)
        self.sales_import.choose_file()
        return self.sales_import

    def request_import(self, path: str) -> None:
        if not self.context.profile.is_lead:
            return
        self.show_page(IMPORT_PAGE)
        self.context.import_file_requested.emit(path)

    def choose_database(self) -> None:
        path = ask_for_database(self)
        if path:
            self.open_database_requested.emit(path)

    def open_connect_dialog(self) -> ConnectDialog:
        """File > Connect to a server...: once connected, the window opens that server."""
        self.connect_dialog = open_connect_dialog(self, self.open_database_requested.emit)
        return self.connect_dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # A manager gets no drop cursor: only the lead imports lists.
        if self.context.profile.is_lead and any(
            url.isLocalFile() for url in event.mimeData().urls()
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files and self.context.profile.is_lead:
            event.acceptProposedAction()
            self.request_import(files[0])

    # -- settings ---------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.fit_into_screen()
        self._fit_again_when_shown = self.size()
        last_page = settings.value(SETTINGS_LAST_PAGE, self.specs[0].key)
        self.show_page(str(last_page))
        if self.navigation.currentRow() < 0:
            self.show_page(self._first_allowed_page())

    def fit_into_screen(self) -> None:
        """Inside the screen's available area, whatever size and place were remembered.

        Saved on a bigger monitor, or on one unplugged since, the window would open partly
        off screen with its title bar out of reach.
        """
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        available = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_width = frame.width() - self.width()
        # Before the first show the window has no frame yet: leave room for a title bar.
        extra_height = frame.height() - self.height() or TITLE_BAR_ALLOWANCE
        width = min(self.width(), available.width() - extra_width)
        height = min(self.height(), available.height() - extra_height)
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        frame = self.frameGeometry()
        self.move(_clamped_position(frame, available))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        restored, self._fit_again_when_shown = self._fit_again_when_shown, None
        if restored is not None and self.size() == restored:
            # Now that the window has its frame, the title bar and borders must fit too (a
            # size set in code since, as by the screenshots, is left alone).
            self.fit_into_screen()

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_LAST_PAGE, self.current_page_key())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.outside_changes_timer.stop()
        self.save_settings()
        super().closeEvent(event)


def _clamped_position(frame: QRect, available: QRect) -> QPoint:
    """Where the window's frame goes so that as much of it as fits is inside ``available``."""
    x = max(available.left(), min(frame.left(), available.right() - frame.width() + 1))
    y = max(available.top(), min(frame.top(), available.bottom() - frame.height() + 1))
    return QPoint(x, y)
