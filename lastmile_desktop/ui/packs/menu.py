"""The Store packs entries of the File menu, and what each does once chosen.

    Export store pack...             Ctrl+Shift+E   the lead: a store, a campaign, a file
    Import store pack...             Ctrl+Shift+K   on the store's PC: a file
    Export results for the region... Ctrl+Shift+R   on the store's PC: a store, a campaign, a file
    Import store results...          Ctrl+Shift+U   the lead: a file

Each runs its service through ``UserAction`` in a worker, with a progress dialog whose Cancel
stops it (an export leaves no file, an import changes nothing), then says what happened in
one message, the rows turned away and the conflicts behind "Show Details...". Imports
announce what they changed, so every page shows it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog, QWidget

from lastmile_desktop.campaigns.access import LeadAction
from lastmile_desktop.campaigns.campaigns import CampaignInfo, list_campaigns
from lastmile_desktop.campaigns.stores import StoreInfo, list_stores
from lastmile_desktop.packs.pack_in import PackImportSummary, import_pack
from lastmile_desktop.packs.pack_out import EXPORT_PACK_ACTION, PackExportSummary, export_pack
from lastmile_desktop.packs.results_in import ResultsImportSummary, import_store_results
from lastmile_desktop.packs.results_out import ResultsExportSummary, export_store_results
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.packs import wording
from lastmile_desktop.ui.packs.choice import StoreChoiceDialog
from lastmile_desktop.ui.permissions import permit_lead
from lastmile_desktop.ui.worker import Task

T = TypeVar("T")

SECTION = "Store packs"
PACK_FILTER = "Store packs (*.xlsx);;All files (*)"
RESULTS_FILTER = "Store results (*.xlsx);;All files (*)"
EXPORT_PACK = ("E&xport store pack...", "Ctrl+Shift+E")
IMPORT_PACK = ("Import store &pack...", "Ctrl+Shift+K")
EXPORT_RESULTS = ("Export &results for the region...", "Ctrl+Shift+R")
IMPORT_RESULTS = ("Import store res&ults...", "Ctrl+Shift+U")
EXPORT_PACK_TIP = "A store's customers, campaign and managers, for a store working on its own PC"
IMPORT_PACK_TIP = "On a store's PC: the pack the regional lead exported for this store"
EXPORT_RESULTS_TIP = "On a store's PC: the calls made here, for the regional lead"
IMPORT_RESULTS_TIP = "The calls a store made on its own PC, merged into this database"
EXPORT_PACK_TITLE = "Export store pack"
IMPORT_PACK_TITLE = "Import store pack"
EXPORT_RESULTS_TITLE = "Export results for the region"
IMPORT_RESULTS_TITLE = "Import store results"
EXPORT_PACK_INTRO = (
    "The store's customers to call (never the holdout), the campaign's settings and script, "
    "the store's managers and the do-not-call entries for them, for a store that works on "
    "its own PC. Which store, and which campaign?"
)
EXPORT_RESULTS_INTRO = (
    "The calls made on this PC for one store's customers, for the regional lead to import. "
    "Which store, and which campaign?"
)
IMPORT_CHANGES = (
    ChangeKind.IMPORTED,
    ChangeKind.CAMPAIGN_CHANGED,
    ChangeKind.STORES_CHANGED,
    ChangeKind.MEMBERS_CHANGED,
    ChangeKind.DO_NOT_CALL_CHANGED,
    ChangeKind.SALES_IMPORTED,
)


def _documents() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


class StorePacks(QObject):
    """The four File menu entries and their runs; keeps the last dialog and message shown."""

    # A run ended: its summary, or None when it was cancelled, refused or failed.
    finished = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.export_pack_action = self._action(*EXPORT_PACK, self.export_pack)
        self.import_pack_action = self._action(*IMPORT_PACK, self.import_pack)
        self.export_results_action = self._action(*EXPORT_RESULTS, self.export_results)
        self.import_results_action = self._action(*IMPORT_RESULTS, self.import_results)
        self.choice: StoreChoiceDialog | None = None
        self.task: Task[Any] | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        context.profile_changed.connect(lambda _profile: self.apply_profile())
        self.apply_profile()

    def _action(self, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.parent_widget)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    @property
    def actions(self) -> tuple[QAction, ...]:
        return (
            self.export_pack_action,
            self.import_pack_action,
            self.export_results_action,
            self.import_results_action,
        )

    def add_to(self, menu: QMenu) -> None:
        """The entries as a block of their own, under a "Store packs" heading."""
        menu.addSection(SECTION)
        for action in self.actions:
            menu.addAction(action)

    def apply_profile(self) -> None:
        """Exporting packs and importing results are the lead's; a store's PC does the rest."""
        profile = self.context.profile
        permit_lead(self.export_pack_action, profile, EXPORT_PACK_ACTION, EXPORT_PACK_TIP)
        permit_lead(
            self.import_results_action, profile, LeadAction.IMPORT_RESULTS, IMPORT_RESULTS_TIP
        )
        for action, tip in (
            (self.import_pack_action, IMPORT_PACK_TIP),
            (self.export_results_action, EXPORT_RESULTS_TIP),
        ):
            action.setEnabled(True)
            action.setToolTip(tip)
            action.setStatusTip(tip)

    # -- the four steps ---------------------------------------------------------------------
    def export_pack(self) -> StoreChoiceDialog | None:
        if not self.context.profile.is_lead:
            return None
        return self._ask_store(EXPORT_PACK_TITLE, EXPORT_PACK_INTRO, self._export_pack_to)

    def _export_pack_to(self, choice: StoreChoiceDialog) -> None:
        db, profile = self.context.db, self.context.profile
        store, campaign = choice.store_code, choice.campaign_id
        if store is None or campaign is None:
            return
        target = self._save_as(
            EXPORT_PACK_TITLE, "Store pack", store, choice.campaign_name, PACK_FILTER
        )
        if target is None:
            return

        def work(progress: Progress) -> PackExportSummary:
            return export_pack(
                db, profile, target, store=store, campaign=campaign, progress=progress
            )

        self._run(
            work,
            title=EXPORT_PACK_TITLE,
            busy=f"Writing the store pack {target.name}...",
            changes=lambda _s: Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id=campaign),
            said=lambda summary: (wording.pack_exported(summary), ""),
        )

    def import_pack(self) -> None:
        path = self._open(IMPORT_PACK_TITLE, PACK_FILTER)
        if path is not None:
            self.start_import_pack(path)

    def start_import_pack(self, path: Path) -> None:
        db, profile = self.context.db, self.context.profile

        def work(progress: Progress) -> PackImportSummary:
            return import_pack(db, profile, path, progress=progress)

        def changes(summary: PackImportSummary) -> list[Changed]:
            if not summary.changed_anything:
                return []
            return [Changed(kind, campaign_id=summary.campaign_id) for kind in IMPORT_CHANGES]

        self._run(
            work,
            title=IMPORT_PACK_TITLE,
            busy=f"Importing the store pack {path.name}...",
            changes=changes,
            said=lambda s: (wording.pack_imported(s), wording.pack_import_details(s)),
        )

    def export_results(self) -> StoreChoiceDialog | None:
        return self._ask_store(EXPORT_RESULTS_TITLE, EXPORT_RESULTS_INTRO, self._export_results_to)

    def _export_results_to(self, choice: StoreChoiceDialog) -> None:
        db, profile = self.context.db, self.context.profile
        store, campaign = choice.store_code, choice.campaign_id
        if store is None or campaign is None:
            return
        target = self._save_as(
            EXPORT_RESULTS_TITLE, "Results", store, choice.campaign_name, RESULTS_FILTER
        )
        if target is None:
            return

        def work(progress: Progress) -> ResultsExportSummary:
            return export_store_results(
                db, profile, target, store=store, campaign=campaign, progress=progress
            )

        self._run(
            work,
            title=EXPORT_RESULTS_TITLE,
            busy=f"Writing the results {target.name}...",
            changes=lambda _summary: [],
            said=lambda summary: (wording.results_exported(summary), ""),
        )

    def import_results(self) -> None:
        if not self.context.profile.is_lead:
            return
        path = self._open(IMPORT_RESULTS_TITLE, RESULTS_FILTER)
        if path is not None:
            self.start_import_results(path)

    def start_import_results(self, path: Path) -> None:
        db, profile = self.context.db, self.context.profile

        def work(progress: Progress) -> ResultsImportSummary:
            return import_store_results(db, profile, path, progress=progress)

        def changes(summary: ResultsImportSummary) -> list[Changed]:
            found = [Changed(ChangeKind.MEMBERS_CHANGED)] if summary.added else []
            if summary.managers_added:
                found.append(Changed(ChangeKind.STORES_CHANGED))
            return found

        self._run(
            work,
            title=IMPORT_RESULTS_TITLE,
            busy=f"Importing the store results {path.name}...",
            changes=changes,
            said=lambda s: (wording.results_imported(s), wording.results_import_details(s)),
        )

    # -- asking -----------------------------------------------------------------------------
    def _ask_store(
        self, title: str, intro: str, then: Callable[[StoreChoiceDialog], None]
    ) -> StoreChoiceDialog | None:
        db, profile = self.context.db, self.context.profile
        campaigns: list[CampaignInfo] = self.context.read(lambda: list_campaigns(db), [])
        stores: list[StoreInfo] = self.context.read(lambda: list_stores(db), [])
        dialog = StoreChoiceDialog(
            title,
            intro,
            campaigns=campaigns,
            stores=stores,
            profile=profile,
            parent=self.parent_widget,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: then(dialog))
        self.choice = dialog
        dialog.open()
        return dialog

    def _save_as(
        self, title: str, kind: str, store: str, campaign: str, file_filter: str
    ) -> Path | None:
        name = wording.file_name(kind, store, campaign, datetime.now().astimezone())
        path, _ = QFileDialog.getSaveFileName(
            self.parent_widget, title, str(_documents() / name), file_filter
        )
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_suffix(".xlsx")

    def _open(self, title: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent_widget, title, str(_documents()), file_filter
        )
        return Path(path) if path else None

    # -- running ----------------------------------------------------------------------------
    def _run(
        self,
        work: Callable[[Progress], T],
        *,
        title: str,
        busy: str,
        changes: Callable[[T], Changed | list[Changed]],
        said: Callable[[T], tuple[str, str]],
    ) -> Task[T]:
        dialog = QProgressDialog(busy, "Cancel", 0, 0, self.parent_widget)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)  # a small pack never flashes a dialog
        self.progress_dialog = dialog
        action = UserAction.with_progress(self.context, work, parent=self.parent_widget)
        action.announces(changes)
        action.on_success(lambda result: self._done(title, *said(result), result))
        action.on_failure(lambda _error: self._failed())
        task = action.background_task(
            on_progress=self._progress, on_cancel=lambda: self._cancelled(title)
        )
        dialog.canceled.connect(task.cancel)
        self.task = task
        task.start()
        return task

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

    def _show(self, title: str, text: str, details: str = "") -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        if details:
            box.setDetailedText(details)
        box.open()
        self.message_box = box

    def _done(self, title: str, text: str, details: str, result: object) -> None:
        self._close_progress()
        self._show(title, text, details)
        self.finished.emit(result)

    def _cancelled(self, title: str) -> None:
        self._close_progress()
        self._show(title, "Cancelled: nothing was written and nothing was changed.")
        self.finished.emit(None)

    def _failed(self) -> None:
        self._close_progress()
        self.finished.emit(None)
