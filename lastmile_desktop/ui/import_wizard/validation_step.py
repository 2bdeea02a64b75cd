"""Step 4: what importing would do, from a dry run with the chosen mapping. Nothing saved yet."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from lastmile_desktop.importing.model import CampaignTarget, ImportPreview
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


NEW_CAMPAIGN = "New campaign..."
CAMPAIGN_NAME_LENGTH = 200


class CampaignChoice(QWidget):
    """Which campaign the list goes into: an open one, or a new one with a name to type."""

    campaign_changed = Signal()  # another campaign was picked: the check is run again
    changed = Signal()  # the new campaign's name was edited

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumWidth(220)
        self.combo.setToolTip("The campaign these customers are added to.")
        campaign_label = QLabel("&Campaign (Alt+C):")
        campaign_label.setBuddy(self.combo)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(CAMPAIGN_NAME_LENGTH)
        self.name_edit.setMinimumWidth(240)
        self.name_edit.setPlaceholderText("Name of the new campaign")
        self.name_label = QLabel("Ne&w campaign's name (Alt+W):")
        self.name_label.setBuddy(self.name_edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(campaign_label)
        row.addWidget(self.combo)
        row.addSpacing(16)
        row.addWidget(self.name_label)
        row.addWidget(self.name_edit)
        row.addStretch(1)
        self._open: list[CampaignTarget] = []
        self._suggested_name = ""
        self._shown = False  # a check has shown where the list goes: the choice is explicit
        self.picked = False  # the user picked a campaign or typed a name
        self.combo.activated.connect(self._picked)
        self.name_edit.textEdited.connect(self._name_edited)
        self._show_name()

    def show_target(self, preview: ImportPreview) -> None:
        """The open campaigns, with the one the check was made for selected."""
        self._open = list(preview.open_campaigns)
        self._suggested_name = preview.new_campaign_name
        self.combo.clear()
        for campaign in self._open:
            self.combo.addItem(campaign.name, campaign.id)
        self.combo.addItem(NEW_CAMPAIGN, None)
        target = preview.campaign
        index = self.combo.findData(target.id) if target.id is not None else -1
        self.combo.setCurrentIndex(index if index >= 0 else self.combo.count() - 1)
        if target.id is None:
            self.name_edit.setText(target.name)
        self._shown = True
        self._show_name()

    def choice(self) -> CampaignTarget | None:
        """The campaign chosen; None before a check showed one (the engine then decides)."""
        if not self._shown:
            return None
        campaign_id = self.combo.currentData()
        if isinstance(campaign_id, int):
            return CampaignTarget(campaign_id, self.combo.currentText())
        return CampaignTarget(None, self.name_edit.text().strip())

    def blocking_problem(self) -> str | None:
        chosen = self.choice()
        if chosen is None or chosen.id is not None:
            return None
        if not chosen.name:
            return "Type a name for the new campaign (Alt+W), or choose an open one (Alt+C)."
        if any(campaign.name.casefold() == chosen.name.casefold() for campaign in self._open):
            return (
                f'A campaign called "{chosen.name}" is already open: choose it in the list '
                "(Alt+C), or type another name for the new one."
            )
        return None

    def forget(self) -> None:
        """A new file: the engine decides again until the next check shows its choice."""
        self._shown = self.picked = False
        self._open = []
        self.combo.clear()
        self.name_edit.clear()
        self._show_name()

    def _name_edited(self, _text: str) -> None:
        self.picked = True
        self.changed.emit()

    def _picked(self, _index: int) -> None:
        self.picked = True
        if self.combo.currentData() is None and not self.name_edit.text().strip():
            self.name_edit.setText(self._suggested_name)
        self._show_name()
        self.campaign_changed.emit()

    def _show_name(self) -> None:
        new = self.combo.count() > 0 and self.combo.currentData() is None
        self.name_label.setVisible(new)
        self.name_edit.setVisible(new)


class ValidationStep(QWidget):
    campaign_changed = Signal()  # another campaign was picked: the check is run again
    changed = Signal()  # something that may block the import changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = StepHeading(
            "Check before importing",
            "This is what the import will do, worked out from every row of the sheet. "
            "Nothing has been saved yet.",
        )
        self.status = InlineMessage()  # "cancelled, nothing changed" or why the import failed
        self.campaign = CampaignChoice()
        self.campaign_problem = InlineMessage()
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
        layout.addWidget(self.campaign)
        layout.addWidget(self.campaign_problem)
        layout.addWidget(self.repeat)
        layout.addWidget(self.counts)
        layout.addSpacing(8)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.no_problems)
        layout.addWidget(self.notes)
        layout.addStretch(0)
        self.campaign.campaign_changed.connect(self.campaign_changed)
        self.campaign.changed.connect(self._campaign_edited)

    def set_preview(self, preview: ImportPreview) -> None:
        self.clear_status()
        self.campaign.show_target(preview)
        self._campaign_edited()
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

    def campaign_choice(self) -> CampaignTarget | None:
        return self.campaign.choice()

    def forget_campaign_choice(self, unless_picked: bool = False) -> None:
        """Let the engine choose the campaign again (``unless_picked``: if the user did not)."""
        if unless_picked and self.campaign.picked:
            return
        self.campaign.forget()
        self.campaign_problem.clear_message()

    def blocking_problem(self) -> str | None:
        return self.campaign.blocking_problem()

    def _campaign_edited(self) -> None:
        problem = self.campaign.blocking_problem()
        if problem:
            self.campaign_problem.show_message(problem, "error")
        else:
            self.campaign_problem.clear_message()
        self.changed.emit()

    def show_status(self, text: str, tone: str) -> None:
        self.status.show_message(text, tone)

    def clear_status(self) -> None:
        self.status.clear_message()

    def focus_default(self) -> None:
        self.problems.setFocus()
