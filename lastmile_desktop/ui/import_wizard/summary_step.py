"""Step 6: what the import did, where each row went, the rejected rows to fix, and the way on:
managers for the stores that have none, then assigning the customers."""

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

from lastmile_desktop.campaigns.assignment import list_names, stores_without_manager
from lastmile_desktop.campaigns.stores import StoreInfo, list_stores
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import ImportSummary, RejectedRowsTable
from lastmile_desktop.ui.campaigns.manager_dialog import ManagerDialog, new_manager_dialog
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.backend import ImportBackend
from lastmile_desktop.ui.import_wizard.counts_view import BucketCountsView
from lastmile_desktop.ui.import_wizard.problems_model import RowProblemsModel
from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading, read_only_table
from lastmile_desktop.ui.worker import Task, run_task

EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"
MAX_COLUMN_WIDTH = 320  # pixels; the whole text is in the cell's tooltip


def export_file_name(summary: ImportSummary) -> str:
    return f"{Path(summary.file).stem} - rejected rows.xlsx"


class SummaryStep(QWidget):
    def __init__(
        self, context: AppContext, backend: ImportBackend, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._db = context.db
        self._backend = backend
        self.summary: ImportSummary | None = None
        self._task: Task[Any] | None = None
        self.unstaffed: list[StoreInfo] = []  # stores of this list with no active manager
        self.manager_dialog: ManagerDialog | None = None  # open while adding managers
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
        self.stores_message = InlineMessage()
        self.add_managers_button = QPushButton("&Add managers...  (Alt+A)")
        self.add_managers_button.setToolTip("Add a manager to each store that has none")
        self.add_managers_button.clicked.connect(self.add_managers)
        self.assign_button = QPushButton("Assign &these customers  (Alt+T)")
        self.assign_button.setToolTip(
            "Go to the Assign page for this campaign and share the new customers out"
        )
        self.assign_button.clicked.connect(self.assign_customers)
        next_steps = QHBoxLayout()
        next_steps.addWidget(self.assign_button)
        next_steps.addWidget(self.add_managers_button)
        next_steps.addStretch(1)
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
        layout.addWidget(self.stores_message)
        layout.addLayout(next_steps)
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
        self.assign_button.setEnabled(summary.campaign_id is not None)
        self.show_stores()

    # -- stores and managers ----------------------------------------------------------------
    def show_stores(self) -> None:
        """The stores this import created, and those of its campaign with nobody to call
        their customers; "Add managers..." stays offered while any has no manager."""
        summary = self.summary
        if summary is None:
            return
        stores = list_stores(self._db)
        created = [store for store in stores if store.id in summary.new_store_ids]
        waiting: dict[int, int] = {}
        if summary.campaign_id is not None:
            waiting = {
                store.store_id: store.waiting
                for store in stores_without_manager(
                    self._db, summary.campaign_id, self.context.profile
                )
            }
        self.unstaffed = [
            store
            for store in stores
            if store.id in waiting
            or (store.id in summary.new_store_ids and not store.active_managers)
        ]
        number = QLocale().toString
        lines = []
        if created:
            noun = "store" if len(created) == 1 else "stores"
            lines.append(
                f"This import created {number(len(created))} {noun}: "
                f"{list_names([store.label for store in created], shown=8)}."
            )
        if self.unstaffed:
            described = [
                f"{store.label} ({number(waiting[store.id])} waiting)"
                if store.id in waiting
                else store.label
                for store in self.unstaffed
            ]
            lines.append(
                f"No manager yet at {list_names(described, shown=8)}: add managers so their "
                "customers can be given out when you assign."
            )
        self.stores_message.show_message(" ".join(lines), "warning" if self.unstaffed else "info")
        self.add_managers_button.setVisible(bool(self.unstaffed))
        self.add_managers_button.setEnabled(self.context.profile.is_lead)

    def add_managers(self) -> None:
        """One manager at a time, store after store, until each has one or the lead stops."""
        if not self.unstaffed or not self.context.profile.is_lead:
            return
        dialog = new_manager_dialog(
            self.context, self.unstaffed, store_id=self.unstaffed[0].id, parent=self
        )
        self.manager_dialog = dialog

        def saved() -> None:
            self.manager_dialog = None
            self.show_stores()
            if dialog.saved is not None:
                self.message.show_message(
                    f"{dialog.saved.name} now manages {dialog.saved.store_name}.", "success"
                )
            if self.unstaffed:
                self.add_managers()

        dialog.accepted.connect(saved)
        dialog.rejected.connect(lambda: setattr(self, "manager_dialog", None))
        dialog.open()

    def assign_customers(self) -> None:
        """To the Assign page for this campaign, where Assign now starts (and asks first
        about stores still without a manager)."""
        if self.summary is not None and self.summary.campaign_id is not None:
            self.context.assign_requested.emit(self.summary.campaign_id)

    # -- rejected rows ----------------------------------------------------------------------
    def show_rejected_rows(self) -> None:
        if self.summary is None or self._busy():
            return
        batch_id = self.summary.batch_id
        db, profile = self.context.db, self.context.profile
        self.message.show_message("Loading the rejected rows...", "info")
        self._task = run_task(
            lambda _progress: self._backend.rejected_rows(db, batch_id, profile),
            on_success=self._rejected_rows_loaded,
            on_error=self._failed,
        )

    def _rejected_rows_loaded(self, table: RejectedRowsTable) -> None:
        self._task = None
        self.rejected_model.set_rejected_rows(table)
        self.rejected_table.resizeColumnsToContents()
        # A long reason or value must not push the file's columns out of sight.
        for column in range(self.rejected_model.columnCount()):
            if self.rejected_table.columnWidth(column) > MAX_COLUMN_WIDTH:
                self.rejected_table.setColumnWidth(column, MAX_COLUMN_WIDTH)
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
        db, profile = self.context.db, self.context.profile
        self.message.show_message(f"Saving the rejected rows to {target}...", "info")
        self._task = run_task(
            lambda _progress: self._backend.export_rejected_rows(db, batch_id, target, profile),
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
