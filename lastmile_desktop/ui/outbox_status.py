"""The status bar's word on the outbox: "Offline: 3 outcomes waiting", and sending them.

While outcomes wait (the database server could not be reached), a timer sends them off the
screen's thread, trying again with the outbox's back-off (soon at first, then once a
minute) until the server answers; File > Send waiting outcomes now (F9) and the status bar's
button try at once. Once sent, every page hears which members changed (the desk reads its
queue again). An outcome the server refused is named in a message that does not stop the
calls: the server's record stands, and the outbox keeps ours (``lastmile outbox``).
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QPushButton

from lastmile_desktop import APP_NAME
from lastmile_desktop.calling.outbox import (
    Outbox,
    SendReport,
    describe_report,
    offline_text,
    send_waiting,
)
from lastmile_desktop.calling.outcomes import outcome_by_code
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.worker import Task, run_task

log = logging.getLogger("lastmile.outbox")

SEND_NOW_SHORTCUT = "F9"
SEND_NOW_TEXT = "Send &waiting outcomes now"
REPORT_SHOWN_MS = 20_000
WAITING_STYLE = "color: #a35200; font-weight: 600;"


class OutboxStatus(QObject):
    """Counts, sends and reports the outbox of the window's database server."""

    # A send finished: the SendReport.
    sent = Signal(object)

    def __init__(self, window: QMainWindow, context: AppContext, outbox: Outbox) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self.outbox = outbox
        self.sending = False
        self.message_box: QMessageBox | None = None  # the last refusal shown (tests read it)
        self._task: Task[SendReport] | None = None
        # A bug while sending stops the automatic tries until the next outcome or F9.
        self._retrying = True

        self.label = QLabel()
        self.label.setStyleSheet(WAITING_STYLE)
        self.label.setContentsMargins(8, 0, 8, 0)
        self.send_action = QAction(SEND_NOW_TEXT, window)
        self.send_action.setShortcut(QKeySequence(SEND_NOW_SHORTCUT))
        self.send_action.setToolTip("Try the database server now with the outcomes kept here")
        self.send_action.triggered.connect(self.send_now)
        self.button = QPushButton(f"Send now  ({SEND_NOW_SHORTCUT})")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F9 works from anywhere
        self.button.clicked.connect(self.send_now)
        bar = window.statusBar()
        # Permanent: a passing message (what a send did) must not hide what still waits.
        bar.addPermanentWidget(self.label)
        bar.addPermanentWidget(self.button)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._send_when_due)
        context.outbox_changed.connect(self._outbox_changed)
        self.refresh()

    # -- what waits -----------------------------------------------------------------------------
    def waiting(self) -> int:
        try:
            return self.outbox.waiting()
        except UserFacingError as error:  # the outbox file itself failed: say so
            self.label.setText(str(error))
            return 0

    def refresh(self) -> None:
        """The count shown again; the next try scheduled while anything waits."""
        waiting = self.waiting()
        if self.sending:
            self.label.setText(f"Sending {waiting} waiting outcome{'' if waiting == 1 else 's'}...")
        elif waiting:
            self.label.setText(offline_text(waiting))
        self.label.setVisible(bool(waiting) or self.sending)
        self.button.setVisible(bool(waiting) and not self.sending)
        self.send_action.setEnabled(bool(waiting) and not self.sending)
        if waiting and not self.sending and self._retrying:
            self.timer.start(round(self.outbox.seconds_until_retry() * 1000))
        elif not waiting:
            self.timer.stop()

    def _outbox_changed(self) -> None:
        self._retrying = True
        self.refresh()

    # -- sending --------------------------------------------------------------------------------
    def _send_when_due(self) -> None:
        if self.outbox.seconds_until_retry() > 0:
            self.refresh()  # tried meanwhile (a logged outcome found the server away again)
            return
        self.send_now()

    def send_now(self) -> None:
        """Send what waits, off the screen's thread (F9, the button, the timer)."""
        if self.sending or not self.waiting():
            return
        self.sending = True
        self._retrying = True
        self.timer.stop()
        self.refresh()
        db, outbox = self.context.db, self.outbox
        self._task = run_task(
            lambda _progress: send_waiting(db, outbox),
            on_success=self._sent,
            on_error=self._failed,
        )

    def _sent(self, report: SendReport) -> None:
        self.sending = False
        if report.recorded or report.refused:
            log.info(
                "outbox: %d outcomes sent (%d already known), %d refused, %d still waiting",
                len(report.recorded),
                report.already_known,
                len(report.refused),
                report.waiting,
            )
        changes = _changes_of(report)
        if changes:
            self.context.announce(*changes)
        if report.recorded or report.refused or not report.waiting:
            self.window.statusBar().showMessage(describe_report(report), REPORT_SHOWN_MS)
        if report.refused:
            self._show_refused(report)
        self.refresh()
        self.sent.emit(report)

    def _failed(self, error: BaseException) -> None:
        self.sending = False
        self._retrying = False  # a bug repeats itself: wait for the next outcome or F9
        self.refresh()
        if isinstance(error, UserFacingError):
            self.window.statusBar().showMessage(str(error), REPORT_SHOWN_MS)
            return
        sys.excepthook(type(error), error, error.__traceback__)

    def _show_refused(self, report: SendReport) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle(APP_NAME)
        box.setIcon(QMessageBox.Icon.Warning)
        count = len(report.refused)
        box.setText(
            f"{count} outcome{'' if count == 1 else 's'} logged while the server could not be "
            "reached could not be saved."
        )
        box.setInformativeText(describe_report(report))
        box.setWindowModality(Qt.WindowModality.NonModal)  # the calls go on meanwhile
        box.show()
        self.message_box = box


def _changes_of(report: SendReport) -> list[Changed]:
    """Which members the sent outcomes changed, per campaign; and the do-not-call list."""
    members: dict[int, set[int]] = {}
    for logged in report.recorded:
        members.setdefault(logged.campaign_id, set()).add(logged.member_id)
    changes = [
        Changed(ChangeKind.MEMBERS_CHANGED, campaign, tuple(sorted(ids)))
        for campaign, ids in members.items()
    ]
    if any(outcome_by_code(c.outcome).adds_to_do_not_call for c in report.recorded):
        changes.append(Changed(ChangeKind.DO_NOT_CALL_CHANGED))
    return changes
