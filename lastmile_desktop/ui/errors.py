"""One place for errors: the user's become a plain message; bugs are logged and shown."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.logging_setup import scrub_personal_data
from lastmile_desktop.storage.reachability import is_unreachable

log = logging.getLogger("lastmile")

UNREACHABLE = (
    "The database server cannot be reached, so this could not be read or saved. Check this "
    "computer's network connection, then try again. Calls logged on the desk meanwhile are "
    "kept on this computer and sent once the server answers."
)


def show_user_error(parent: QWidget | None, error: BaseException, title: str = "Last Mile") -> None:
    """For problems the user can act on: the message alone, no traceback."""
    QMessageBox.warning(parent, title, str(error))


def open_user_error(
    parent: QWidget | None, error: BaseException, title: str = "Last Mile"
) -> QMessageBox:
    """The same message without waiting for it to be closed (window-modal, returns at once)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, str(error), QMessageBox.StandardButton.Ok, parent
    )
    box.open()
    return box


def build_bug_dialog(
    parent: QWidget | None, summary: str, details: str, log_path: Path | None
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText(f"Last Mile ran into a problem: {summary}")
    where = f"\n\nThe details are saved in {log_path}." if log_path is not None else ""
    box.setInformativeText(
        "Your saved work is safe. You can carry on; if it happens again, send the details "
        "to your support contact." + where
    )
    box.setDetailedText(details)  # behind the "Show Details..." button
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


class ExceptionReporter:
    """Installed as ``sys.excepthook``: logs every unhandled exception and shows a dialog.

    What is logged and shown is scrubbed of phone numbers, emails and SQL parameters: the
    details are meant to be sent to support, and the log outlives any privacy request.
    """

    def __init__(self, log_path: Path | None) -> None:
        self.log_path = log_path
        self.last_dialog: QMessageBox | None = None
        # The word that the database server is out of reach, while it is on screen.
        self.unreachable_box: QMessageBox | None = None
        self._showing = False

    def _unreachable_shown(self) -> bool:
        box = self.unreachable_box
        return box is not None and box.isVisible()

    def __call__(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        exc_tb: TracebackType | None,
    ) -> None:
        details = scrub_personal_data(
            "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
        )
        if is_unreachable(exc_value):
            # Not a bug: the network or the server went away. Said once, without waiting
            # (many reads fail together, and the calls go on meanwhile).
            log.warning("database server out of reach: %s", summary_line(exc_value))
            if QApplication.instance() is not None and not self._unreachable_shown():
                said = exc_value if isinstance(exc_value, UserFacingError) else None
                self.unreachable_box = open_user_error(
                    QApplication.activeWindow(), said or UserFacingError(UNREACHABLE)
                )
                self.last_dialog = self.unreachable_box
            return
        if isinstance(exc_value, UserFacingError):
            log.warning("user error: %s", exc_value)
            if QApplication.instance() is not None:
                show_user_error(QApplication.activeWindow(), exc_value)
            return
        log.error("unhandled exception\n%s", details)
        if QApplication.instance() is None or self._showing:
            sys.__excepthook__(exc_type, exc_value, exc_tb)
            return
        summary = scrub_personal_data(
            f"{exc_type.__name__}: {exc_value}" if str(exc_value) else exc_type.__name__
        )
        self._showing = True  # one dialog at a time, even if painting it raises again
        try:
            self.last_dialog = build_bug_dialog(
                QApplication.activeWindow(), summary, details, self.log_path
            )
            self.last_dialog.open()
        finally:
            self._showing = False


def summary_line(error: BaseException) -> str:
    """The error's first line, scrubbed: enough for the log to say what failed."""
    text = str(error).strip().splitlines()
    return scrub_personal_data(f"{type(error).__name__}: {text[0] if text else ''}")


def install_excepthook(log_path: Path | None) -> ExceptionReporter:
    reporter = ExceptionReporter(log_path)
    sys.excepthook = reporter
    return reporter
