"""Step 6: what the import did, where each row went, and the rejected rows to fix."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import ImportSummary, RowProblem
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.import_wizard.backend import ImportBackend
from lastmile_desktop.ui.import_wizard.counts_view import BucketCountsView
from lastmile_desktop.ui.import_wizard.problems_model import RowProblemsModel
from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading, read_only_table
from lastmile_desktop.ui.worker import Task, run_task

EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"


def export_file_name(summary: ImportSummary) -> str:
    return f"{Path(summary.file).stem} - rejected rows.xlsx"


class SummaryStep(QWidget):
    def __init__(self, db: Database, backend: ImportBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._backend = backend
        self.summary: ImportSummary | None = None
        self._task: Task[Any] | None = None
        self.heading = StepHeading("Import finished", "")
        self.counts = BucketCountsView()
        self.details = QLabel()
        self.details.setObjectName("summaryDetails")
        self.details.setWordWrap(True)
        self.view_button = QPushButton("&View rejected rows  (Alt+V)")
        self.view_button.clicked.connect(self.show_rejected_rows)
        self.export_button = QPushButton("E&xport rejected rows...  (Alt+X)")  # Alt+E: Edit menu
        self.export_button.clicked.connect(self.choose_export_target)
        buttons = QHBoxLayout()
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        self.message = InlineMessage()
        self.rejected_model = RowProblemsModel()
        self.rejected_table = read_only_table(self.rejected_model)
        self.rejected_table.verticalHeader().hide()
        self.rejected_table.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.counts)
        layout.addSpacing(6)
        layout.addWidget(self.details)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.rejected_table, 1)
        layout.addStretch(0)

    def set_summary(self, summary: ImportSummary) -> None:
        self.summary = summary
        counts = summary.counts
        number = QLocale().toString
        self.heading.title.setText(
            f"Imported: {number(counts.imported)} new customers, {number(counts.updated)} updated"
        )
        self.heading.hint.setText(
            f"{Path(summary.file).name}, sheet “{summary.sheet}” (header on row "
            f"{summary.header_row}), into the campaign “{summary.campaign}”."
        )
        self.counts.set_counts(counts)
        lines = []
        if summary.stores:
            lines.append(f"<b>Stores</b> ({len(summary.stores)}): {', '.join(summary.stores)}")
        else:
            lines.append("<b>Stores</b>: none named in the file.")
        lines.extend(f"<b>Note</b>: {note}" for note in summary.notes)
        self.details.setText("<br>".join(lines))
        has_rejects = counts.rejected > 0
        self.view_button.setEnabled(has_rejects)
        self.export_button.setEnabled(has_rejects)
        self.rejected_model.set_problems([])
        self.rejected_table.hide()
        self.message.clear_message()

    # -- rejected rows ----------------------------------------------------------------------
    def show_rejected_rows(self) -> None:
        if self.summary is None or self._busy():
            return
        batch_id = self.summary.batch_id
        self.message.show_message("Loading the rejected rows...", "info")
        self._task = run_task(
            lambda _progress: self._backend.rejected_rows(self._db, batch_id),
            on_success=self._rejected_rows_loaded,
            on_error=self._failed,
        )

    def _rejected_rows_loaded(self, problems: list[RowProblem]) -> None:
        self._task = None
        self.rejected_model.set_problems(problems)
        self.rejected_table.resizeColumnToContents(0)
        self.rejected_table.show()
        self.rejected_table.setFocus()
        self.message.clear_message()

    def choose_export_target(self) -> None:
        if self.summary is None:
            return
        start = Path.home() / export_file_name(self.summary)
        path, _ = QFileDialog.getSaveFileName(
            self, "Export rejected rows", str(start), EXPORT_FILTER
        )
        if path:
            self.export_rejected_rows(Path(path))

    def export_rejected_rows(self, target: Path) -> None:
        if self.summary is None or self._busy():
            return
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_suffix(".xlsx")
        batch_id = self.summary.batch_id
        self.message.show_message(f"Saving the rejected rows to {target}...", "info")
        self._task = run_task(
            lambda _progress: self._backend.export_rejected_rows(self._db, batch_id, target),
            on_success=self._exported,
            on_error=self._failed,
        )

    def _exported(self, written: Path) -> None:
        self._task = None
        count = self.summary.counts.rejected if self.summary else 0
        self.message.show_message(
            f"Saved {QLocale().toString(count)} rejected rows to {written}", "success"
        )

    def _failed(self, error: BaseException) -> None:
        self._task = None
        if isinstance(error, UserFacingError):
            self.message.show_message(str(error), "error")
            return
        self.message.clear_message()
        # A bug, not the user's: the app's reporter logs it and shows the details.
        sys.excepthook(type(error), error, error.__traceback__)

    def _busy(self) -> bool:
        return self._task is not None

    def focus_default(self) -> None:
        if self.view_button.isEnabled():
            self.view_button.setFocus()
