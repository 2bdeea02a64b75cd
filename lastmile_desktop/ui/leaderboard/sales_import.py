"""File > Import sales from the till...: a till's sales extract becomes purchases.

The file is read and imported by ``import_sales`` in a worker, with a progress dialog whose
Cancel stops it before anything is written (the import is one transaction). The result is
one message that accounts for every row (added, already known, unmatched, rejected), with
the rows that did not land behind "Show Details...". Every page hears ``SALES_IMPORTED``,
so the leaderboard counts the new purchases at once. The columns are found by their
headers, as ``lastmile import-sales`` finds them; a file whose columns cannot be found is
refused with the service's sentence.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import (
    SaleRowProblem,
    SalesImportOptions,
    SalesImportSummary,
)
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.leaderboard import wording
from lastmile_desktop.ui.worker import Task

SALES_FILTER = "Sales extracts (*.xlsx *.xlsm *.xls *.xlsb *.ods *.csv);;All files (*)"
IMPORT_SALES_SHORTCUT = "Ctrl+Shift+I"
IMPORT_SALES_TIP = "Add a till's sales extract as purchases; the leaderboard counts them at once"
# What only the lead does, in the words the import service refuses a manager with.
IMPORT_SALES_ACTION = "import sales"
TITLE = "Import sales from the till"
DETAIL_ROWS = 50


def summary_text(summary: SalesImportSummary) -> str:
    """ "2,000 rows read: 1,900 added, 60 already known, 30 unmatched, 10 rejected."."""
    counts = summary.counts
    return (
        f"{summary.file}: {wording.count(counts.rows_read)} rows read: "
        f"{wording.count(counts.added)} added, {wording.count(counts.already_known)} already "
        f"known, {wording.count(counts.unmatched)} unmatched, {wording.count(counts.rejected)} "
        "rejected."
    )


def details_text(summary: SalesImportSummary) -> str:
    """The rows that did not land, with why, and the import's notes."""
    parts: list[str] = []

    def rows(heading: str, problems: list[SaleRowProblem]) -> None:
        if not problems:
            return
        shown = problems[:DETAIL_ROWS]
        more = f" (the first {len(shown)})" if len(shown) < len(problems) else ""
        parts.append(f"{heading}{more}:")
        parts.extend(f"  row {problem.row}: {problem.reason}" for problem in shown)

    rows("Unmatched", summary.unmatched_rows)
    rows("Rejected", summary.rejected_rows)
    parts.extend(summary.notes)
    return "\n".join(parts)


class SalesImport(QObject):
    """One run: ask for a file (or take one), import it in the background, say what landed."""

    # The summary, once shown; None when cancelled or refused.
    finished = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.task: Task[SalesImportSummary] | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent_widget, TITLE, str(Path.home()), SALES_FILTER
        )
        if path:
            self.start(Path(path))

    def start(self, path: Path) -> None:
        db, profile = self.context.db, self.context.profile

        def work(progress: Progress) -> SalesImportSummary:
            return import_sales(db, path, SalesImportOptions(), progress, profile=profile)

        dialog = QProgressDialog(
            f"Importing sales from {path.name}...", "Cancel", 0, 0, self.parent_widget
        )
        dialog.setWindowTitle(TITLE)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # a small extract never flashes a dialog
        self.progress_dialog = dialog
        action = UserAction.with_progress(self.context, work, parent=self.parent_widget)
        action.announces(Changed(ChangeKind.SALES_IMPORTED))
        action.on_success(self._imported)
        action.on_failure(self._failed)
        self.task = action.background_task(on_progress=self._progress, on_cancel=self._cancelled)
        dialog.canceled.connect(self.task.cancel)
        self.task.start()

    def _progress(self, done: int, total: int, message: str) -> None:
        dialog = self.progress_dialog
        if dialog is not None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total > 0 else done)
            if message:
                dialog.setLabelText(message)

    def _close_progress(self) -> None:
        self.task = None
        if self.progress_dialog is not None:
            self.progress_dialog.reset()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _imported(self, summary: SalesImportSummary) -> None:
        self._close_progress()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            TITLE,
            summary_text(summary),
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        details = details_text(summary)
        if details:
            box.setDetailedText(details)
        box.open()
        self.message_box = box
        self.finished.emit(summary)

    def _cancelled(self) -> None:
        self._close_progress()
        self.message_box = QMessageBox(
            QMessageBox.Icon.Information,
            TITLE,
            "Cancelled: nothing was imported.",
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        self.message_box.open()
        self.finished.emit(None)

    def _failed(self, _error: BaseException) -> None:
        self._close_progress()
        self.finished.emit(None)
