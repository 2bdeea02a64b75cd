"""Step 4: what importing would do, from a dry run with the chosen mapping. Nothing saved yet."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from lastmile_desktop.importing.model import ImportPreview
from lastmile_desktop.ui.import_wizard.counts_view import BucketCountsView
from lastmile_desktop.ui.import_wizard.problems_model import REASON_COLUMN, RowProblemsModel
from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading, read_only_table


def nothing_to_import(preview: ImportPreview) -> bool:
    return preview.counts.imported + preview.counts.updated == 0


def repeat_warning(preview: ImportPreview) -> str:
    previous = preview.previous_import
    if previous is None:
        return ""
    when = previous.imported_at.astimezone().strftime("%d %b %Y at %H:%M")
    return (
        f"This file was imported before ({previous.file_name}, {when}). Import again? "
        "Nothing will be imported twice: customers already there are updated."
    )


class ValidationStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = StepHeading(
            "Check before importing",
            "This is what the import will do, worked out from every row of the sheet. "
            "Nothing has been saved yet.",
        )
        self.status = InlineMessage()  # "cancelled, nothing changed" or why the import failed
        self.repeat = InlineMessage()
        self.counts = BucketCountsView()
        self.problems_title = QLabel("First problems")
        self.problems_title.setObjectName("sectionTitle")
        self.problems_model = RowProblemsModel()
        self.problems = read_only_table(self.problems_model)
        self.problems.verticalHeader().hide()
        self.no_problems = QLabel("No problems found: every row can be imported.")
        self.no_problems.setObjectName("emptyState")
        self.notes = QLabel()
        self.notes.setObjectName("hint")
        self.notes.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.repeat)
        layout.addWidget(self.counts)
        layout.addSpacing(8)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.no_problems)
        layout.addWidget(self.notes)
        layout.addStretch(0)

    def set_preview(self, preview: ImportPreview) -> None:
        self.clear_status()
        self.counts.set_counts(preview.counts)
        warning = repeat_warning(preview)
        if warning:
            self.repeat.show_message(warning, "warning")
        else:
            self.repeat.clear_message()
        self.problems_model.set_problems(preview.first_problems)
        has_problems = bool(preview.first_problems)
        self.problems.setVisible(has_problems)
        self.no_problems.setVisible(not has_problems)
        shown = len(preview.first_problems)
        total = preview.counts.rejected
        self.problems_title.setText(
            f"First problems ({shown} of {QLocale().toString(total)} rejected rows)"
            if total > shown
            else "Problems"
        )
        self.problems.resizeColumnToContents(REASON_COLUMN - 1)
        self.notes.setText("\n".join(preview.notes))
        self.notes.setVisible(bool(preview.notes))
        if nothing_to_import(preview):
            self.show_status(
                "Nothing would be imported or updated from this sheet. Go back (Alt+B) to check "
                "the columns and the header row, or choose another file.",
                "warning",
            )

    def show_status(self, text: str, tone: str) -> None:
        self.status.show_message(text, tone)

    def clear_status(self) -> None:
        self.status.clear_message()

    def focus_default(self) -> None:
        self.problems.setFocus()
