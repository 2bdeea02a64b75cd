"""The running app: opens the database, the main window, and switches databases."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog
from sqlalchemy.engine import make_url

from lastmile_desktop import APP_NAME, __version__
from lastmile_desktop.connection import database_to_open
from lastmile_desktop.errors import DatabaseUnreachableError, UserFacingError
from lastmile_desktop.logging_setup import configure_logging
from lastmile_desktop.overview import is_empty
from lastmile_desktop.progress import Progress
from lastmile_desktop.settings import demo_db_path, resources_dir, to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.reachability import is_unreachable
from lastmile_desktop.ui.connect_dialog import ask_password_at_start
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.database_problem import DatabaseProblemWindow
from lastmile_desktop.ui.errors import install_excepthook, show_user_error
from lastmile_desktop.ui.main_window import MainWindow
from lastmile_desktop.ui.profile import choose_profile_at_start
from lastmile_desktop.ui.worker import Task, run_task

log = logging.getLogger("lastmile")

ORGANIZATION = "LastMile"
DEMO_CUSTOMERS = 3000
# How often an erasure that another reader held up is tried again (see Database).
ERASURE_RETRY_MS = 2000


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    style = resources_dir() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    icon = resources_dir() / "icons" / "lastmile.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


class Controller:
    """Owns the open database and its window; swaps both when another database is opened."""

    def __init__(self) -> None:
        self.db: Database | None = None
        self.window: MainWindow | None = None
        # Shown instead of the main window when the first database could not be opened.
        self.problem_window: DatabaseProblemWindow | None = None
        self._task: Task[object] | None = None
        self.erasure_timer = QTimer()
        self.erasure_timer.setInterval(ERASURE_RETRY_MS)
        self.erasure_timer.timeout.connect(self.finish_pending_erasure)
        self.erasure_timer.start()

    def finish_pending_erasure(self) -> None:
        if self.db is None or not self.db.erasure_pending:
            return
        try:
            done = self.db.finish_pending_erasure()
        except UserFacingError as error:
            # Retried every few seconds: a message each time would bury the window.
            log.warning("an erasure could not be finished yet: %s", error)
            return
        if done:
            log.info("an erasure held up by another reader of the database is now complete")

    def open(self, url: str) -> bool:
        try:
            db, report = open_database(url)
            try:
                # On a store's login, a store without managers has nobody to work as.
                profile = choose_profile_at_start(db, self.window)
            except UserFacingError:
                db.dispose()
                raise
        except Exception as error:
            problem = _opening_problem(error, url)
            if problem is None:
                raise
            log.warning("the database did not open: %s", problem)
            if self.window is None:
                self.show_problem(str(problem))
            else:
                show_user_error(self.window, problem)
            return False
        if report.worth_telling:
            log.info(report.describe())
        if self.problem_window is not None:
            self.problem_window.close()
            self.problem_window.deleteLater()
            self.problem_window = None
        old_window, old_db = self.window, self.db
        self.db = db
        self.window = MainWindow(AppContext(db, profile=profile))
        self.window.demo_requested.connect(self.open_demo)
        self.window.open_database_requested.connect(lambda path: self.open(to_url(path)))
        if old_window is not None:
            self.window.setGeometry(old_window.geometry())
            old_window.close()
            old_window.context.close()
            old_window.deleteLater()
        if old_db is not None:
            old_db.close()
        self.window.show()
        if report.worth_telling:
            QMessageBox.information(self.window, APP_NAME, report.describe())
        return True

    def show_problem(self, problem: str) -> None:
        """The start screen saying why the database did not open, with a way to another."""
        if self.problem_window is None:
            self.problem_window = DatabaseProblemWindow(problem)
            self.problem_window.open_database_requested.connect(
                lambda path: self.open(to_url(path))
            )
        else:
            self.problem_window.show_problem(problem)
        self.problem_window.show()

    def open_demo(self) -> None:
        from lastmile_desktop.demo import generate_demo

        path = demo_db_path()
        if _holds_demo(path):
            self.open(to_url(path))
            return
        dialog = QProgressDialog("Building a demo region...", "Cancel", 0, 100, self.window)
        dialog.setWindowTitle("Explore with demo data")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)

        def build(progress: Progress) -> object:
            db, _ = open_database(to_url(path))
            try:
                return generate_demo(db, customers=DEMO_CUSTOMERS, progress=progress)
            finally:
                db.dispose()

        def on_progress(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            dialog.setLabelText(message or "Building a demo region...")

        def succeeded(_summary: object) -> None:
            dialog.close()
            self.open(to_url(path))

        def failed(error: BaseException) -> None:
            dialog.close()
            _remove_sqlite_file(path)
            sys.excepthook(type(error), error, error.__traceback__)

        def cancelled() -> None:
            dialog.close()
            _remove_sqlite_file(path)

        self._task = run_task(
            build,
            on_success=succeeded,
            on_error=failed,
            on_cancel=cancelled,
            on_progress=on_progress,
        )
        dialog.canceled.connect(self._task.cancel)
        dialog.show()


def _opening_problem(error: Exception, url: str) -> UserFacingError | None:
    """What to tell the person when ``url`` did not open; None for a bug."""
    # Before the general case: a server out of reach at start is told with the ways on.
    if isinstance(error, DatabaseUnreachableError):
        return UserFacingError(f"{error} Or connect to another server, or open another database.")
    if is_unreachable(error):
        where = make_url(url).render_as_string(hide_password=True)
        return UserFacingError(
            f"The database server cannot be reached ({where}). Check this computer's network "
            "connection and that the server is running, then start Last Mile again; or "
            "connect to another server, or open another database."
        )
    if isinstance(error, UserFacingError):
        return error
    return None


def _holds_demo(path: Path) -> bool:
    """Whether the demo database exists with a demo in it (an empty file is built again)."""
    if not path.exists():
        return False
    try:
        db, _ = open_database(to_url(path))
    except UserFacingError:
        return True  # let opening it explain the problem
    try:
        return not is_empty(db)
    finally:
        db.dispose()


def _remove_sqlite_file(path: Path) -> None:
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        file.unlink(missing_ok=True)


def run(db_arg: str | None) -> int:
    app = create_application()
    log_path = configure_logging()
    install_excepthook(log_path)
    controller = Controller()
    try:
        # --db, LASTMILE_DB, the saved server (its password from the keyring, or typed), or
        # the local database.
        url = database_to_open(db_arg, ask_password=ask_password_at_start).url
    except UserFacingError as error:
        controller.show_problem(str(error))
    else:
        controller.open(url)  # on failure, the start screen says why
    exit_code = app.exec()
    if controller.db is not None:
        controller.db.close()
    return exit_code
