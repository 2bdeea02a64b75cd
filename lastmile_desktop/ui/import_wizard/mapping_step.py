"""Step 3: what each column holds, and how to read dates that could go either way."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.countries import numbers_of
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.model import Field, ImportPreview, PhoneRegion
from lastmile_desktop.importing.regions import regions_that_fit_better
from lastmile_desktop.ui.import_wizard.mapping_editor import MappingEditor
from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading
from lastmile_desktop.ui.region_picker import RegionPicker

ORDER_WORDS = {DateOrder.DAY_FIRST: "day first", DateOrder.MONTH_FIRST: "month first"}


class DateOrderQuestion(QGroupBox):
    """Asked only when a date column reads sensibly both ways (03/04/2024)."""

    order_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Dates that could be read two ways", parent)
        self.setObjectName("dateQuestion")
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.day_first = QRadioButton("&Day first: 03/04/2024 is 3 April  (Alt+D)")
        self.month_first = QRadioButton("&Month first: 03/04/2024 is March 4  (Alt+M)")
        self.group = QButtonGroup(self)
        self.group.addButton(self.day_first)
        self.group.addButton(self.month_first)
        self.day_first.setChecked(True)
        self.day_first.toggled.connect(lambda _checked: self.order_changed.emit())
        self.default_note = QLabel()
        self.default_note.setObjectName("hint")
        self.default_note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.day_first)
        buttons.addSpacing(24)
        buttons.addWidget(self.month_first)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sentence)
        layout.addLayout(buttons)
        layout.addWidget(self.default_note)

    def ask(self, columns: list[str], default: DateOrder, region: str) -> None:
        names = ", ".join(f"“{name}”" for name in columns)
        self.sentence.setText(
            f"The dates in {names} could be day first or month first. "
            "How does this file write them?"
        )
        self.default_note.setText(
            f"{ORDER_WORDS[default].capitalize()} is selected because that is how dates are "
            f"usually written where the phone numbers are from ({region})."
        )
        self.blockSignals(True)
        (self.day_first if default is DateOrder.DAY_FIRST else self.month_first).setChecked(True)
        self.blockSignals(False)

    def order(self) -> DateOrder:
        return DateOrder.DAY_FIRST if self.day_first.isChecked() else DateOrder.MONTH_FIRST


def region_sentence(report: PhoneRegion) -> str:
    """What the Columns step says about the phone region under its picker."""
    numbers = numbers_of(report.region)
    if report.national == 0:
        counted = "No number is written without a country code, so the region changes nothing."
    else:
        counted = (
            f"{report.valid_national:,} of {report.national:,} numbers written without a "
            f"country code are valid {numbers}."
        )
    how = "Worked out from the numbers" if report.worked_out else "Chosen by you"
    return f"{how}: {counted}"


def wrong_region_advice(report: PhoneRegion) -> str | None:
    if not report.fits_better:
        return None
    return (
        f"Most numbers are not valid {numbers_of(report.region)}, but they would be valid in "
        f"{regions_that_fit_better(report)}. If the list is from another country, choose it "
        "in Phone region (Alt+R)."
    )


class RegionRow(QWidget):
    """The country numbers without a country code are read in, with a picker to change it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = RegionPicker()
        self.picker.setToolTip(
            "The country phone numbers written without a country code are read in. "
            "Changing it checks every row again."
        )
        label = QLabel("Phone &region (Alt+R):")
        label.setBuddy(self.picker)
        self.sentence = QLabel()
        self.sentence.setObjectName("hint")
        self.sentence.setWordWrap(True)
        self.advice = InlineMessage()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.picker)
        row.addSpacing(12)
        row.addWidget(self.sentence, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.advice)

    def show_report(self, report: PhoneRegion) -> None:
        self.picker.set_region(report.region)
        self.sentence.setText(region_sentence(report))
        advice = wrong_region_advice(report)
        if advice:
            self.advice.show_message(advice, "warning")
        else:
            self.advice.clear_message()


class MappingStep(QWidget):
    changed = Signal()
    region_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = StepHeading(
            "What each column holds",
            "Last Mile guessed from the headers and the values. Check the flagged guesses and "
            "change any that are wrong; columns kept as extra travel with the customer.",
        )
        self.remembered = InlineMessage()
        self.region_row = RegionRow()
        self.editor = MappingEditor()
        self.date_question = DateOrderQuestion()
        self.date_question.hide()
        self.problem = InlineMessage()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.remembered)
        layout.addWidget(self.region_row)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.date_question)
        layout.addWidget(self.problem)
        self.editor.mapping_changed.connect(self._mapping_changed)
        self.date_question.order_changed.connect(self.changed)
        self.region_row.picker.region_chosen.connect(self._region_chosen)

    def set_preview(self, preview: ImportPreview) -> None:
        self.editor.set_guesses(preview.guesses)
        if preview.mapping_remembered:
            self.remembered.show_message(
                "Remembered from a previous file with the same headers. Change anything that "
                "is different this time.",
                "info",
            )
        else:
            self.remembered.clear_message()
        self._check()

    def show_region(self, report: PhoneRegion) -> None:
        self.region_row.show_report(report)

    def _region_chosen(self, region: str | None) -> None:
        if region is not None:
            self.region_chosen.emit(region)

    def ask_date_order(self, columns: list[str], default: DateOrder, region: str) -> None:
        if columns:
            self.date_question.ask(columns, default, region)
            self.date_question.show()
        else:
            self.date_question.hide()

    def date_order(self) -> DateOrder | None:
        return self.date_question.order() if self.date_question.isVisibleTo(self) else None

    def mapping(self) -> dict[int, Field | None]:
        return self.editor.mapping()

    def blocking_problem(self) -> str | None:
        """What stops the import from going on, as the sentence shown to the user."""
        twice = self.editor.fields_used_twice()
        if twice:
            names = ", ".join(field.label for field in twice)
            return f"Each field can come from one column only: {names} is chosen twice."
        return None

    def _mapping_changed(self) -> None:
        self._check()
        self.changed.emit()

    def _check(self) -> None:
        blocking = self.blocking_problem()
        mapping = self.editor.mapping().values()
        if blocking:
            self.problem.show_message(blocking, "error")
        elif self.editor.rows and Field.PHONE not in mapping and Field.PHONE_ALT not in mapping:
            self.problem.show_message(
                "No column goes to Phone: every row would be rejected. Choose the column "
                "that holds the phone numbers.",
                "warning",
            )
        else:
            self.problem.clear_message()

    def focus_default(self) -> None:
        self.editor.focus_first()
