"""The campaign form: every field of a campaign, its defaults, and the holdout lock."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.hours import DEFAULT_CALLING_HOURS, CallingHours
from lastmile_desktop.campaigns.campaigns import CampaignDraft, CampaignInfo
from lastmile_desktop.storage.defaults import (
    MAX_ATTEMPTS_LIMIT,
    MAX_ATTRIBUTION_WINDOW_DAYS,
    MAX_COOL_DOWN_HOURS,
    MAX_HOLDOUT_SHARE,
    NAME_MAX_LENGTH,
    OFFER_CODE_MAX_LENGTH,
)
from lastmile_desktop.ui.assign.widgets import hint_label
from lastmile_desktop.ui.campaigns.script_edit import INSERT_TIP, ScriptEdit
from lastmile_desktop.ui.permissions import READ_ONLY_STYLE, set_field_read_only

HOLDOUT_OPEN_HINT = (
    "Customers set aside at random in each store and never called, to measure what calling changed."
)
HOLDOUT_LOCKED_HINT = (
    "Locked: calls have been logged, and a new share would spoil the comparison with the "
    "control group. Start a new campaign to use a different share."
)


class OptionalDate(QWidget):
    """A date that may be left unset: a check box names it, the date edit holds it."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self.edit.dateChanged.connect(lambda _date: self.changed.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.edit)

    def value(self) -> date | None:
        if not self.check.isChecked():
            return None
        picked = self.edit.date()
        return date(picked.year(), picked.month(), picked.day())

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        self.edit.setDate(
            QDate(value.year, value.month, value.day) if value is not None else QDate.currentDate()
        )


def _spin(low: int, high: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(110)
    return spin


class CampaignForm(QWidget):
    """Shows a draft and gives back what was typed; saving is the caller's job."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(READ_ONLY_STYLE)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX_LENGTH)
        self.name_edit.setPlaceholderText("e.g. Spring win-back")
        self.offer_edit = QLineEdit()
        self.offer_edit.setPlaceholderText("e.g. 20% off your next visit")
        self.offer_code_edit = QLineEdit()
        self.offer_code_edit.setMaxLength(OFFER_CODE_MAX_LENGTH)
        self.offer_code_edit.setPlaceholderText("e.g. BACK20 (optional)")
        self.script_edit = ScriptEdit()

        self.start_date = OptionalDate("Starts")
        self.end_date = OptionalDate("Ends")
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.start_date)
        dates.addSpacing(16)
        dates.addWidget(self.end_date)
        dates.addStretch(1)

        self.attribution_spin = _spin(1, MAX_ATTRIBUTION_WINDOW_DAYS, " days")
        self.attribution_spin.setToolTip(
            "A purchase within this many days of the call counts as won back."
        )
        self.max_attempts_spin = _spin(1, MAX_ATTEMPTS_LIMIT, " calls")
        self.max_attempts_spin.setToolTip("After this many tries a customer leaves the queue.")
        self.min_hours_spin = _spin(0, MAX_COOL_DOWN_HOURS, " hours")
        self.min_hours_spin.setToolTip("The shortest wait before the same customer is tried again.")
        self.calling_from = _time_edit("Calls start, in the customer's own local time")
        self.calling_until = _time_edit("Calls end, in the customer's own local time")
        calling = QHBoxLayout()
        calling.setContentsMargins(0, 0, 0, 0)
        calling.addWidget(self.calling_from)
        calling.addWidget(QLabel("to"))
        calling.addWidget(self.calling_until)
        calling.addStretch(1)
        self.holdout_spin = QDoubleSpinBox()
        self.holdout_spin.setRange(0.0, MAX_HOLDOUT_SHARE * 100)
        self.holdout_spin.setDecimals(1)
        self.holdout_spin.setSingleStep(1.0)
        self.holdout_spin.setSuffix(" %")
        self.holdout_spin.setMinimumWidth(110)
        self.holdout_hint = hint_label(HOLDOUT_OPEN_HINT)
        holdout = QVBoxLayout()
        holdout.setContentsMargins(0, 0, 0, 0)
        holdout.addLayout(_left(self.holdout_spin))
        holdout.addWidget(self.holdout_hint)

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name", self.name_edit)
        form.addRow("&Offer", self.offer_edit)
        form.addRow("Offer code", self.offer_code_edit)  # Alt+E is the Edit menu
        form.addRow("Call scrip&t", self.script_edit)
        form.addRow("Dates", dates)
        # Rows holding a layout get no buddy from QFormLayout: name it, or "&" shows.
        form.addRow(
            _buddy("Attribution &window", self.attribution_spin), _left(self.attribution_spin)
        )
        form.addRow(
            _buddy("Ma&ximum attempts", self.max_attempts_spin), _left(self.max_attempts_spin)
        )
        form.addRow(
            _buddy("Hours &between attempts", self.min_hours_spin), _left(self.min_hours_spin)
        )
        form.addRow(_buddy("Ca&lling hours", self.calling_from), calling)
        form.addRow(_buddy("Holdo&ut share", self.holdout_spin), holdout)
        self.form_layout = form

        for line in (self.name_edit, self.offer_edit, self.offer_code_edit):
            line.textEdited.connect(lambda _text: self.edited.emit())
        self.script_edit.text_changed.connect(self.edited)
        for spin in (self.attribution_spin, self.max_attempts_spin, self.min_hours_spin):
            spin.valueChanged.connect(lambda _value: self.edited.emit())
        self.holdout_spin.valueChanged.connect(lambda _value: self.edited.emit())
        for edit in (self.calling_from, self.calling_until):
            edit.timeChanged.connect(lambda _value: self.edited.emit())
        self.start_date.changed.connect(self.edited)
        self.end_date.changed.connect(self.edited)

        self.show_draft(CampaignDraft(name=""))

    def show_draft(self, draft: CampaignDraft, *, holdout_locked: bool = False) -> None:
        """Fill every field; a new campaign shows the service's defaults."""
        widgets = (
            self.name_edit,
            self.offer_edit,
            self.offer_code_edit,
            self.script_edit,
            self.attribution_spin,
            self.max_attempts_spin,
            self.min_hours_spin,
            self.holdout_spin,
            self.start_date,
            self.end_date,
            self.calling_from,
            self.calling_until,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.name_edit.setText(draft.name)
            self.offer_edit.setText(draft.offer)
            self.offer_code_edit.setText(draft.offer_code or "")
            self.script_edit.set_text(draft.script)
            self.start_date.set_value(draft.start_date)
            self.end_date.set_value(draft.end_date)
            self.attribution_spin.setValue(draft.attribution_window_days)
            self.max_attempts_spin.setValue(draft.max_attempts)
            self.min_hours_spin.setValue(draft.min_hours_between_attempts)
            self.holdout_spin.setValue(round(draft.holdout_share * 100, 1))
            hours = draft.calling_hours or DEFAULT_CALLING_HOURS
            self.calling_from.setTime(QTime(hours.start.hour, hours.start.minute))
            self.calling_until.setTime(QTime(hours.end.hour, hours.end.minute))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.holdout_spin.setEnabled(not holdout_locked)
        self.holdout_hint.setText(HOLDOUT_LOCKED_HINT if holdout_locked else HOLDOUT_OPEN_HINT)

    def show_campaign(self, info: CampaignInfo) -> None:
        self.show_draft(info.to_draft(), holdout_locked=info.holdout_locked)

    def draft(self, original_share: float | None = None) -> CampaignDraft:
        """What is typed now. An untouched share keeps its exact stored value."""
        share = self.holdout_spin.value() / 100
        if original_share is not None and abs(share - original_share) < 0.0005:
            share = original_share
        return CampaignDraft(
            name=self.name_edit.text(),
            offer=self.offer_edit.text(),
            offer_code=self.offer_code_edit.text() or None,
            script=self.script_edit.text(),
            start_date=self.start_date.value(),
            end_date=self.end_date.value(),
            attribution_window_days=self.attribution_spin.value(),
            max_attempts=self.max_attempts_spin.value(),
            min_hours_between_attempts=self.min_hours_spin.value(),
            holdout_share=share,
            calling_hours=CallingHours(
                _time_of(self.calling_from.time()), _time_of(self.calling_until.time())
            ),
        )

    def set_read_only(self, read_only: bool, reason: str = "") -> None:
        """Shown, selectable, not editable, and looking it (a grey box, no arrows); ``reason``
        goes in the tooltips of what cannot be pressed."""
        for field in (
            self.name_edit,
            self.offer_edit,
            self.offer_code_edit,
            self.script_edit.editor,
            self.attribution_spin,
            self.max_attempts_spin,
            self.min_hours_spin,
            self.holdout_spin,
            self.start_date.edit,
            self.end_date.edit,
            self.calling_from,
            self.calling_until,
        ):
            set_field_read_only(field, read_only)
        for optional in (self.start_date, self.end_date):
            optional.check.setEnabled(not read_only)
            optional.check.setToolTip(reason if read_only else "")
            # Unchecked, the date is not in use: greyed out whoever reads it.
            optional.edit.setEnabled(optional.check.isChecked())
        self.script_edit.insert_button.setEnabled(not read_only)
        self.script_edit.insert_button.setToolTip(reason if read_only else INSERT_TIP)
        if read_only:
            self.holdout_spin.setEnabled(True)


def _time_of(value: QTime) -> time:
    return time(value.hour(), value.minute())


def _time_edit(tip: str) -> QTimeEdit:
    edit = QTimeEdit()
    edit.setDisplayFormat("HH:mm")
    edit.setToolTip(tip)
    return edit


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _left(widget: QWidget) -> QHBoxLayout:
    """A fixed-width field kept at the left instead of stretched across the form."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(widget)
    row.addStretch(1)
    return row
