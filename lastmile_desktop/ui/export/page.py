"""The Export page: a campaign's results as a workbook for Excel, written off the GUI thread.

The same choices as ``lastmile export``: the campaign, every store or one, and the file
(.xlsx for the whole workbook, .csv for one sheet). Export (Ctrl+E) runs ``export_results``
in a worker with a progress bar; Cancel (Esc) stops it and leaves no file behind. A store
manager exports their own store only: the store picker shows it and nothing else (the
service decides; the page only says so).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QLocale, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.campaigns import CampaignInfo, list_campaigns
from lastmile_desktop.campaigns.stores import StoreInfo, list_stores
from lastmile_desktop.exporting.results import ExportSummary, export_results
from lastmile_desktop.exporting.sheets import DATA_SHEETS, Sheet
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.widgets import HINT_STYLE, page_title
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.worker import Task

EVERY_STORE = "Every store"
EXPORT_TEXT = "Export  (Ctrl+E)"
CANCEL_TEXT = "Cancel  (Esc)"
FILE_FILTER = "Excel workbook (*.xlsx);;One sheet as CSV (*.csv)"
INTRO = (
    "A workbook of a campaign's results for Excel: every customer with what the calls "
    "brought, every call, the leaderboard's figures and sentences, and the rows the imports "
    "turned away. A Read me sheet says what each sheet holds."
)
OWN_STORE_TIP = "A store manager exports their own store's results."
CSV_SHEET_TIP = "A .csv file holds one sheet: pick which"
FORM_WIDTH = 920
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]+')


def default_file_name(campaign: str, day: datetime) -> str:
    """ "Results Spring win-back 2026-03-14.xlsx": the campaign, the day, nothing a file
    name may not hold."""
    name = _NOT_IN_FILE_NAMES.sub(" ", f"Results {campaign} {day:%Y-%m-%d}")
    return " ".join(name.split()) + ".xlsx"


def summary_text(summary: ExportSummary) -> str:
    number = QLocale().toString
    parts = [f"{sheet.value} {number(rows)}" for sheet, rows in summary.rows.items()]
    return f"Saved {summary.file.name} in {summary.file.parent}: " + ", ".join(parts) + " rows."


class ExportPage(QWidget):
    # An export ended: its summary, or None when it was cancelled or failed.
    finished = Signal(object)

    def __init__(
        self, context: AppContext, *, zone: tzinfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportPage")
        self.context = context
        self.zone = zone
        self.task: Task[ExportSummary] | None = None
        self.summary: ExportSummary | None = None
        self.campaigns: list[CampaignInfo] = []
        self._out_of_date = True
        self._chosen_file = False  # the user picked or typed a file: keep it

        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumContentsLength(28)
        self.campaign_label = QLabel("Campa&ign (Alt+I):")
        self.campaign_label.setBuddy(self.campaign_combo)
        self.store_combo = QComboBox()
        self.store_combo.setMinimumContentsLength(28)
        self.store_label = QLabel("S&tore (Alt+T):")
        self.store_label.setBuddy(self.store_combo)
        self.file_edit = QLineEdit()
        self.file_edit.setMinimumWidth(420)
        self.file_label = QLabel("Sa&ve to (Alt+V):")
        self.file_label.setBuddy(self.file_edit)
        self.browse_button = QPushButton("&Browse...  (Alt+B)")
        self.sheet_combo = QComboBox()
        for sheet in DATA_SHEETS:
            self.sheet_combo.addItem(sheet.value, sheet.value)
        self.sheet_combo.setToolTip(CSV_SHEET_TIP)
        self.sheet_label = QLabel("Sheet for a .&csv (Alt+C):")
        self.sheet_label.setBuddy(self.sheet_combo)

        self.export_button = QPushButton(EXPORT_TEXT)
        self.export_button.setObjectName("exportButton")
        self.export_button.setShortcut(QKeySequence("Ctrl+E"))
        self.cancel_button = QPushButton(CANCEL_TEXT)
        self.cancel_button.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.setVisible(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("exportProgress")
        self.progress_bar.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._build_layout()
        self.campaign_combo.currentIndexChanged.connect(self._campaign_picked)
        self.browse_button.clicked.connect(self.choose_file)
        self.file_edit.textEdited.connect(self._file_typed)
        self.file_edit.textChanged.connect(self._update_sheet_choice)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self.cancel)
        context.changed.connect(self._data_changed)
        context.profile_changed.connect(lambda _profile: self._mark_out_of_date())
        self._update_sheet_choice()

    def _build_layout(self) -> None:
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.campaign_label, self.campaign_combo)
        form.addRow(self.store_label, self.store_combo)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form.addRow(self.file_label, file_row)
        form.addRow(self.sheet_label, self.sheet_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        # A form as wide as a long file path needs, not as wide as the screen.
        column = QWidget()
        column.setMaximumWidth(FORM_WIDTH)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(intro)
        inner.addSpacing(8)
        inner.addLayout(form)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        inner.addWidget(self.progress_bar)
        inner.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("Export"))
        layout.addWidget(column)
        layout.addStretch(1)

    # -- what there is to choose from -------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._out_of_date:
            self.reload()

    def _mark_out_of_date(self) -> None:
        self._out_of_date = True
        if self.isVisible():
            self.reload()

    def _data_changed(self, change: Changed) -> None:
        kinds = (ChangeKind.IMPORTED, ChangeKind.CAMPAIGN_CHANGED, ChangeKind.STORES_CHANGED)
        if change.touches(*kinds):
            self._mark_out_of_date()

    def reload(self) -> None:
        """Read the campaigns and stores again, keeping what was picked."""
        self._out_of_date = False
        db, profile = self.context.db, self.context.profile
        campaigns: list[CampaignInfo] = self.context.read(lambda: list_campaigns(db), [])
        stores: list[StoreInfo] = self.context.read(lambda: list_stores(db), [])
        campaign_id = self.campaign_combo.currentData()
        store_code = self.store_combo.currentData()
        self.campaigns = campaigns
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        for campaign in campaigns:
            closed = "" if campaign.is_open else " (closed)"
            self.campaign_combo.addItem(f"{campaign.name}{closed}", campaign.id)
        found = self.campaign_combo.findData(campaign_id)
        self.campaign_combo.setCurrentIndex(max(found, 0))
        self.campaign_combo.blockSignals(False)

        self.store_combo.clear()
        if profile.is_lead:
            self.store_combo.addItem(EVERY_STORE, None)
            for store in stores:
                self.store_combo.addItem(store.label, store.code)
            self.store_combo.setCurrentIndex(max(self.store_combo.findData(store_code), 0))
            self.store_combo.setEnabled(True)
            self.store_combo.setToolTip("")
        else:
            for store in stores:
                if store.id == profile.store_id:
                    self.store_combo.addItem(store.label, store.code)
            self.store_combo.setEnabled(False)
            self.store_combo.setToolTip(OWN_STORE_TIP)
        self._campaign_picked()
        self._update_enabled()

    def _campaign_picked(self) -> None:
        if self._chosen_file:
            return
        campaign = self.campaign_combo.currentText().removesuffix(" (closed)")
        if not campaign:
            return
        folder = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        name = default_file_name(campaign, datetime.now(UTC).astimezone(self.zone))
        self.file_edit.setText(str(folder / name))

    def _file_typed(self, _text: str) -> None:
        self._chosen_file = True

    def choose_file(self) -> None:
        current = self.file_edit.text().strip()
        path, _ = QFileDialog.getSaveFileName(self, "Export the results", current, FILE_FILTER)
        if path:
            self.set_file(Path(path))

    def set_file(self, path: Path) -> None:
        """The file to write (as if chosen with Browse)."""
        self._chosen_file = True
        self.file_edit.setText(str(path))

    def _update_sheet_choice(self) -> None:
        is_csv = self.file_edit.text().strip().lower().endswith(".csv")
        self.sheet_combo.setEnabled(is_csv and not self.is_busy())

    def _update_enabled(self) -> None:
        busy = self.is_busy()
        for widget in (self.campaign_combo, self.file_edit, self.browse_button):
            widget.setEnabled(not busy)
        self.store_combo.setEnabled(not busy and self.context.profile.is_lead)
        self.export_button.setEnabled(not busy and bool(self.campaigns))
        self.export_button.setToolTip(
            "" if self.campaigns else "There is no campaign yet: import a customer list first."
        )
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self._update_sheet_choice()

    # -- exporting -------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self.task is not None

    def start_export(self) -> None:
        if self.is_busy():
            return
        text = self.file_edit.text().strip()
        if not text:
            self.status.setText("Give the file to write first (Alt+V, or Browse, Alt+B).")
            return
        target = Path(text)
        db, profile, zone = self.context.db, self.context.profile, self.zone
        campaign = self.campaign_combo.currentData()
        store = self.store_combo.currentData() if profile.is_lead else None
        sheet = Sheet(self.sheet_combo.currentData())

        def work(progress: Progress) -> ExportSummary:
            return export_results(
                db,
                profile,
                target,
                campaign=campaign,
                store=store,
                sheet=sheet,
                progress=progress,
                zone=zone,
            )

        self.summary = None
        action = UserAction.with_progress(self.context, work, parent=self)
        action.on_success(self._exported)
        action.on_failure(self._failed)
        self.task = action.background_task(on_progress=self._progress, on_cancel=self._cancelled)
        self.progress_bar.setRange(0, 0)  # busy until the first report gives a total
        self.progress_bar.setVisible(True)
        self.status.setText(f"Exporting to {target.name}...")
        self._update_enabled()
        self.task.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling...")
            self.task.cancel()

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        if message and self.cancel_button.isEnabled():
            self.status.setText(message)

    def _done(self) -> None:
        self.task = None
        self.progress_bar.setVisible(False)
        self._update_enabled()

    def _exported(self, summary: ExportSummary) -> None:
        self._done()
        self.summary = summary
        self.status.setText(summary_text(summary))
        self.finished.emit(summary)

    def _cancelled(self) -> None:
        self._done()
        self.status.setText("Cancelled: no file was written.")
        self.finished.emit(None)

    def _failed(self, _error: BaseException) -> None:
        self._done()
        self.status.setText("Nothing was written.")
        self.finished.emit(None)

    def message_box(self) -> QMessageBox | None:
        """The message shown for the last refusal, if any (tests read it)."""
        boxes = [box for box in self.findChildren(QMessageBox) if box.isVisible()]
        return boxes[-1] if boxes else None


def build_export_page(context: AppContext) -> QWidget:
    return ExportPage(context)
