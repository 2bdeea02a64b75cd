"""The import wizard: the page the main window shows under "Import".

Six steps in one stack: file, sheet and header row, columns, check, import, summary. The page
keeps the file and the user's choices, and runs every read of the file and every write to the
database off the GUI thread through ``run_task``; a result that arrives after the user moved
on (a newer preview was asked for) is dropped.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.access import LeadAction, lead_only
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import ImportOptions, ImportPreview, ImportSummary
from lastmile_desktop.importing.service import RepeatImportError
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.backend import ImportBackend
from lastmile_desktop.ui.import_wizard.file_step import FILE_FILTER, FileStep, local_files
from lastmile_desktop.ui.import_wizard.layout_step import LayoutStep
from lastmile_desktop.ui.import_wizard.mapping_step import MappingStep
from lastmile_desktop.ui.import_wizard.progress_step import ProgressStep
from lastmile_desktop.ui.import_wizard.step_bar import StepBar
from lastmile_desktop.ui.import_wizard.style import WIZARD_STYLE
from lastmile_desktop.ui.import_wizard.summary_step import SummaryStep
from lastmile_desktop.ui.import_wizard.validation_step import ValidationStep, nothing_to_import
from lastmile_desktop.ui.worker import Task, run_task


class Step(enum.IntEnum):
    FILE = 0
    LAYOUT = 1
    MAPPING = 2
    VALIDATION = 3
    IMPORTING = 4
    SUMMARY = 5


STEP_TITLES = ("File", "Sheet and header", "Columns", "Check", "Import", "Summary")


class Purpose(enum.Enum):
    """Why the file is being inspected, which decides where the answer goes."""

    OPEN = "open"  # a new file: fill every step from scratch
    LAYOUT = "layout"  # another sheet or header row: refresh the grid and the guesses
    REGION = "region"  # another phone region: check every row again, stay on the columns
    VALIDATE = "validate"  # the dry run with the user's mapping, for the check step


class ImportPage(QWidget):
    """The wizard. ``open_file`` starts it; ``import_finished`` says an import was saved."""

    import_finished = Signal(object)  # ImportSummary
    step_changed = Signal(int)  # a Step

    def __init__(
        self,
        context: AppContext,
        backend: ImportBackend | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importPage")
        self.setAcceptDrops(True)
        self.setStyleSheet(WIZARD_STYLE)
        self.context = context
        self.backend = backend or ImportBackend()
        self.path: Path | None = None
        self.preview: ImportPreview | None = None  # the latest answer for the current layout
        self.validated: ImportPreview | None = None  # the dry run shown on the check step
        self.summary: ImportSummary | None = None
        self._task: Task[Any] | None = None
        self._import_task: Task[Any] | None = None
        self._generation = 0  # bumped per request; older answers are dropped
        self._mapping_built_for: tuple[str, int, tuple[str, ...]] | None = None
        self._advance_when_ready = False
        # The user's own choices for this file; None: as the engine works them out.
        self._region_choice: str | None = None

        title = QLabel("Import a customer list")
        title.setObjectName("pageTitle")
        self.step_bar = StepBar(STEP_TITLES)

        self.file_step = FileStep()
        self.layout_step = LayoutStep()
        self.mapping_step = MappingStep()
        self.validation_step = ValidationStep()
        self.progress_step = ProgressStep()
        self.summary_step = SummaryStep(context, self.backend)
        self.stack = QStackedWidget()
        for step in (
            self.file_step,
            self.layout_step,
            self.mapping_step,
            self.validation_step,
            self.progress_step,
            self.summary_step,
        ):
            self.stack.addWidget(step)

        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setFixedWidth(160)
        self.busy_bar.setFixedHeight(10)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel()
        self.busy_label.setObjectName("hint")
        self.busy_cancel = QPushButton("Stop  (Esc)")
        self.busy_cancel.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.busy_cancel.clicked.connect(self.cancel_inspection)
        self.back_button = QPushButton("Back  (Alt+B)")
        self.back_button.setShortcut(QKeySequence("Alt+B"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("Next  (Alt+N)")
        self.next_button.setObjectName("primaryButton")
        self.next_button.setShortcut(QKeySequence("Alt+N"))
        self.next_button.clicked.connect(self.go_forward)
        for button in (self.back_button, self.next_button):
            button.setMinimumHeight(34)
            button.setMinimumWidth(150)

        footer = QHBoxLayout()
        footer.addWidget(self.busy_bar)
        footer.addWidget(self.busy_label)
        footer.addWidget(self.busy_cancel)
        footer.addStretch(1)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 16, 28, 18)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.step_bar)
        layout.addWidget(self.stack, 1)
        layout.addLayout(footer)

        # Enter moves on as the Next button would, from anywhere in the page.
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._enter_pressed)

        self.file_step.file_chosen.connect(self.open_file)
        self.file_step.choose_requested.connect(self.choose_file)
        self.layout_step.layout_changed.connect(self._layout_changed)
        self.mapping_step.changed.connect(self._refresh_buttons)
        self.mapping_step.region_chosen.connect(self._region_chosen)
        self.validation_step.campaign_changed.connect(self._campaign_changed)
        self.validation_step.changed.connect(self._refresh_buttons)
        self.progress_step.cancel_requested.connect(self.cancel_import)
        context.import_file_requested.connect(self.open_file)
        context.profile_changed.connect(lambda _profile: self._profile_changed())

        self._apply_profile()
        self._set_busy(None)
        self._show_step(Step.FILE)

    def _apply_profile(self) -> None:
        """Only the lead imports: a manager is told so before choosing any file."""
        self.file_step.drop_zone.set_allowed(
            self.context.profile.is_lead, lead_only(LeadAction.IMPORT)
        )

    def _profile_changed(self) -> None:
        self._apply_profile()
        if not self.context.profile.is_lead and not self.is_importing():
            # The lead's file (its rows in the preview grid, the counts) is not a manager's.
            self.start_over()

    # -- what the user does -----------------------------------------------------------------
    def choose_file(self) -> None:
        if not self.context.profile.is_lead:
            return
        start = str(self.path.parent) if self.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Import a customer list", start, FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Start over with this file (from the button, the menu, or a drop)."""
        if self.is_importing():
            self.progress_step.message.setText(
                "An import is running: wait for it to finish or cancel it (Esc) first."
            )
            return
        self.path = Path(path)
        self.preview = self.validated = self.summary = None
        self._mapping_built_for = None
        self._region_choice = None
        self.validation_step.forget_campaign_choice()
        self.file_step.clear()
        self.file_step.set_file(None)
        self.validation_step.clear_status()
        self._show_step(Step.FILE)
        self._inspect(ImportOptions(), Purpose.OPEN, f"Reading {self.path.name}...")

    def go_forward(self) -> None:
        if not self.next_button.isEnabled():
            return
        step = self.current_step()
        if step is Step.FILE:
            if self.preview is None:
                self.choose_file()  # Enter on the empty page opens the picker
            else:
                self._show_step(Step.LAYOUT)
        elif step is Step.LAYOUT:
            if self.layout_step.flush():  # a header row typed but not yet read
                self._advance_when_ready = True
            else:
                self._show_step(Step.MAPPING)
        elif step is Step.MAPPING:
            if self.mapping_step.blocking_problem() is None:
                self._inspect(self._options(), Purpose.VALIDATE, "Checking every row...")
        elif step is Step.VALIDATION:
            self.start_import()
        elif step is Step.SUMMARY:
            self.start_over()

    def go_back(self) -> None:
        if not self.back_button.isEnabled():
            return
        self.cancel_inspection()
        step = self.current_step()
        if step in (Step.LAYOUT, Step.MAPPING, Step.VALIDATION):
            self._show_step(Step(step - 1))

    def start_over(self) -> None:
        self.cancel_inspection()
        self.path = None
        self.preview = self.validated = self.summary = None
        self._region_choice = None
        self.validation_step.forget_campaign_choice()
        self.file_step.clear()
        self.file_step.set_file(None)
        self._show_step(Step.FILE)

    def start_import(self) -> None:
        if self.path is None or self.validated is None or self.is_importing():
            return
        allow_repeat = False
        if self.validated.previous_import is not None:
            if not self._confirm_repeat():
                return
            allow_repeat = True
        path = self.path
        options = self._options(allow_repeat=allow_repeat)
        self.validation_step.clear_status()
        self.progress_step.start(path.name)
        self._show_step(Step.IMPORTING)
        db, backend, profile = self.context.db, self.backend, self.context.profile

        def work(progress: Progress) -> ImportSummary:
            return backend.run_import(db, path, options, progress, profile)

        action = UserAction.with_progress(self.context, work, parent=self)
        action.announces(Changed(ChangeKind.IMPORTED))
        action.on_success(self._imported)
        action.on_user_error(self._import_refused)
        action.on_failure(self._import_failed)
        self._import_task = action.run_in_background(
            on_progress=self.progress_step.show_progress, on_cancel=self._import_cancelled
        )

    def cancel_import(self) -> None:
        if self._import_task is not None:
            self._import_task.cancel()

    def cancel_inspection(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._generation += 1  # whatever it still sends is no longer wanted
        self._advance_when_ready = False
        self._set_busy(None)

    # -- state ------------------------------------------------------------------------------
    def current_step(self) -> Step:
        return Step(self.stack.currentIndex())

    def is_importing(self) -> bool:
        return self._import_task is not None

    def is_busy(self) -> bool:
        """True while the file is being read for a preview or a dry run."""
        return self._task is not None

    def _options(self, allow_repeat: bool = False) -> ImportOptions:
        campaign = self.validation_step.campaign_choice()
        return ImportOptions(
            sheet=self.layout_step.current_sheet() or None,
            header_row=self.layout_step.header_spin.value(),
            mapping=self.mapping_step.mapping(),
            region=self._region_choice,
            date_order=self.mapping_step.date_order(),
            campaign_id=campaign.id if campaign is not None else None,
            campaign_name=campaign.name if campaign is not None and campaign.id is None else None,
            new_campaign=campaign is not None and campaign.id is None,
            allow_repeat=allow_repeat,
        )

    # -- inspecting the file ----------------------------------------------------------------
    def _inspect(self, options: ImportOptions, purpose: Purpose, message: str) -> None:
        if self.path is None:
            return
        if self._task is not None:
            self._task.cancel()
        self._generation += 1
        generation = self._generation
        path, db, backend, profile = self.path, self.context.db, self.backend, self.context.profile

        def work(progress: Progress) -> ImportPreview:
            return backend.inspect_file(db, path, options, progress, profile)

        self._set_busy(message)
        self._task = run_task(
            work,
            on_success=lambda result: self._inspected(generation, purpose, result),
            on_error=lambda error: self._inspect_failed(generation, purpose, error),
            on_cancel=lambda: self._inspect_stopped(generation),
            on_progress=lambda done, total, text: self._show_busy_progress(
                generation, done, total, text
            ),
        )

    def _inspected(self, generation: int, purpose: Purpose, preview: ImportPreview) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._set_busy(None)
        if purpose is Purpose.VALIDATE:
            unasked = preview.ambiguous_date_columns and self.mapping_step.date_order() is None
            if unasked:
                self._ask_date_order(preview)
                self.mapping_step.problem.show_message(
                    "Choose how the dates are written, then press Next again.", "warning"
                )
                return
            self.validated = preview
            self.validation_step.set_preview(preview)
            self._show_step(Step.VALIDATION)
            return
        self.mapping_step.show_region(preview.phone_region)
        if purpose is Purpose.REGION:
            self._refresh_buttons()
            return
        self.preview = preview
        self.file_step.clear()
        self.layout_step.set_preview(preview)
        built_for = (preview.layout.sheet, preview.layout.header_row, tuple(preview.layout.headers))
        if built_for != self._mapping_built_for:
            self._mapping_built_for = built_for
            self.mapping_step.set_preview(preview)
            self._ask_date_order(preview)
        if purpose is Purpose.OPEN:
            self.file_step.set_file(preview.path)
            self._show_step(Step.LAYOUT)
        elif self._advance_when_ready:
            self._advance_when_ready = False
            self._show_step(Step.MAPPING)
        self._refresh_buttons()

    def _ask_date_order(self, preview: ImportPreview) -> None:
        region = preview.phone_region.region
        order = self.backend.region_date_order(region)
        self.mapping_step.ask_date_order(preview.ambiguous_date_columns, order, region)

    def _region_chosen(self, region: str) -> None:
        """Another phone region: every row is checked again and the columns step says how."""
        self._region_choice = region
        self.mapping_step.problem.clear_message()
        self._inspect(self._options(), Purpose.REGION, f"Checking every row in {region}...")

    def _campaign_changed(self) -> None:
        """Whether rows update customers or add them depends on the campaign: check again."""
        if self.current_step() is Step.VALIDATION and not self.is_importing():
            self._inspect(self._options(), Purpose.VALIDATE, "Checking every row...")

    def _inspect_failed(self, generation: int, purpose: Purpose, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._set_busy(None)
        self._advance_when_ready = False
        if not isinstance(error, UserFacingError):
            sys.excepthook(type(error), error, error.__traceback__)
            return
        message = str(error)
        if purpose is Purpose.OPEN:
            self.path = None
            self.file_step.show_error(message)
            self._show_step(Step.FILE)
        elif purpose is Purpose.LAYOUT:
            self.layout_step.show_error(message)
        elif self.current_step() is Step.VALIDATION:
            self.validation_step.show_status(message, "error")
        else:
            self.mapping_step.problem.show_message(message, "error")
        self._refresh_buttons()

    def _inspect_stopped(self, generation: int) -> None:
        if generation == self._generation:
            self._task = None
            self._set_busy(None)
            if self.preview is None:
                self.path = None
                self._show_step(Step.FILE)

    def _layout_changed(self, sheet: str, header_row: int | None) -> None:
        self.layout_step.clear_error()
        options = ImportOptions(
            sheet=sheet or None, header_row=header_row, region=self._region_choice
        )
        self._inspect(options, Purpose.LAYOUT, "Updating the preview...")

    # -- importing --------------------------------------------------------------------------
    def _imported(self, summary: ImportSummary) -> None:
        self._import_task = None
        self.summary = summary
        self.summary_step.set_summary(summary)
        self._show_step(Step.SUMMARY)
        self.import_finished.emit(summary)

    def _import_cancelled(self) -> None:
        self._import_task = None
        self.validation_step.show_status(
            "Import cancelled. Nothing was saved: the database is exactly as it was before.",
            "info",
        )
        self._show_step(Step.VALIDATION)

    def _import_refused(self, error: UserFacingError) -> None:
        if isinstance(error, RepeatImportError):
            # Imported meanwhile (another window, the command line): check again; the check
            # step then shows the repeat warning and Import asks before going on. The campaign
            # shown by default may have been created by that import: the engine picks again.
            self.validation_step.forget_campaign_choice(unless_picked=True)
            self._inspect(self._options(), Purpose.VALIDATE, "Checking every row...")
        else:
            self.validation_step.show_status(
                f"{error} Nothing was saved: the database is as it was before.", "error"
            )

    def _import_failed(self, error: BaseException) -> None:
        self._import_task = None
        if self.current_step() is not Step.VALIDATION:
            self._show_step(Step.VALIDATION)
        if not isinstance(error, UserFacingError):  # a bug: already on its way to the report
            self.validation_step.show_status(
                "The import stopped on an unexpected problem. Nothing was saved.", "error"
            )

    def _confirm_repeat(self) -> bool:
        previous = self.validated.previous_import if self.validated else None
        name = previous.file_name if previous else "This file"
        answer = QMessageBox.question(
            self,
            "Import again?",
            f"{name} was imported before. Import it again? Nothing will be imported twice: "
            "customers already there are updated, new ones added.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- look and keys ----------------------------------------------------------------------
    def _show_step(self, step: Step) -> None:
        self.stack.setCurrentIndex(step)
        self.step_bar.set_current(step)
        self._refresh_buttons()
        self.step_changed.emit(int(step))
        focus_default = getattr(self.stack.currentWidget(), "focus_default", None)
        if callable(focus_default):
            focus_default()

    def _refresh_buttons(self) -> None:
        step = self.current_step()
        busy = self.is_busy()
        self.back_button.setVisible(step in (Step.LAYOUT, Step.MAPPING, Step.VALIDATION))
        # Before a file is read the drop zone's own button is the way on; one is enough.
        waiting_for_file = step is Step.FILE and self.preview is None
        self.next_button.setVisible(step is not Step.IMPORTING and not waiting_for_file)
        repeat = self.validated is not None and self.validated.previous_import is not None
        labels = {
            Step.VALIDATION: "Import again  (Alt+N)" if repeat else "Import  (Alt+N)",
            Step.SUMMARY: "Import another file  (Alt+N)",
        }
        self.next_button.setText(labels.get(step, "Next  (Alt+N)"))
        self.next_button.setShortcut(QKeySequence("Alt+N"))
        blocked = (step is Step.MAPPING and self.mapping_step.blocking_problem() is not None) or (
            step is Step.VALIDATION and self.validation_step.blocking_problem() is not None
        )
        empty = (
            step is Step.VALIDATION
            and self.validated is not None
            and nothing_to_import(self.validated)
        )
        self.next_button.setEnabled(not busy and not blocked and not empty)
        self.back_button.setEnabled(True)

    def _set_busy(self, message: str | None) -> None:
        for widget in (self.busy_bar, self.busy_label, self.busy_cancel):
            widget.setVisible(message is not None)
        if message is not None:
            self.busy_bar.setRange(0, 0)
            self.busy_label.setText(message)
        self._refresh_buttons()

    def _show_busy_progress(self, generation: int, done: int, total: int, text: str) -> None:
        if generation != self._generation:
            return
        if total > 0:
            self.busy_bar.setRange(0, total)
            self.busy_bar.setValue(min(done, total))
        if text:
            self.busy_label.setText(text)

    def _enter_pressed(self) -> None:
        picker = self.mapping_step.region_row.picker
        if picker.is_being_typed_in(QApplication.focusWidget()):
            picker.take_typed()  # Enter in the country list takes the country, not the step
        elif self.current_step() is not Step.IMPORTING:
            self.go_forward()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event) and not self.is_importing() and self.context.profile.is_lead:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event)
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])
