"""Small editors that open in place of the outcome bar when an outcome needs one more answer.

Never a dialog: the editor opens where the outcome buttons were, starts on its choices with a
sensible one picked (the digit keys pick another), Tab reaches the finer fields, Enter saves
and Esc goes back to the card with nothing logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.outcomes import Outcome
from lastmile_desktop.ui.desk import wording

CONFIRM_HINT = "Enter saves · Esc cancels"
# Quick pick "this evening": when the after-work calls usually reach people.
EVENING = time(18, 0)
ROUND_TO_MINUTES = 5


@dataclass(frozen=True)
class Details:
    """What an editor adds to the outcome (the arguments log_outcome takes besides it)."""

    callback_at: datetime | None = None
    visit_on: date | None = None
    reason: str | None = None
    note: str | None = None


class ChoiceRow(QWidget):
    """A row of choices picked with the digit keys (or Left/Right); one is always picked."""

    picked = Signal(int)

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choiceRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(4)
        for number, label in enumerate(labels, start=1):
            button = QPushButton(f"{number}  {label}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName("choiceButton")
            self.group.addButton(button, number - 1)
            self.buttons.append(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.group.idClicked.connect(self.pick)

    def pick(self, choice: int) -> None:
        if 0 <= choice < len(self.buttons):
            self.buttons[choice].setChecked(True)
            self.picked.emit(choice)

    def choice(self) -> int:
        return self.group.checkedId()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and text != "0":
            self.pick(int(text) - 1)
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 1 if event.key() == Qt.Key.Key_Right else -1
            self.pick(max(0, min(len(self.buttons) - 1, self.choice() + step)))
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.setProperty("focused", True)
        self._repolish()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.setProperty("focused", False)
        self._repolish()
        super().focusOutEvent(event)

    def _repolish(self) -> None:
        for button in self.buttons:
            button.setProperty("rowFocused", self.hasFocus())
            button.style().unpolish(button)
            button.style().polish(button)


class InlineEditor(QFrame):
    """The frame every editor shares: a title, its fields, a note, Enter and Esc."""

    confirmed = Signal(object)  # Details
    cancelled = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineEditor")
        self.title = QLabel(title)
        self.title.setObjectName("editorTitle")
        self.hint = QLabel(CONFIRM_HINT)
        self.hint.setObjectName("hint")
        self.problem = QLabel()
        self.problem.setObjectName("editorProblem")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Note about this call (optional)")
        self.note_edit.setAccessibleName("Note about this call")
        self.note_edit.setMaxLength(1000)
        self.fields = QHBoxLayout()
        self.fields.setSpacing(8)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(12)
        header.addWidget(self.problem, 1)
        header.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addLayout(self.fields)

    def start(self) -> None:
        """Puts the keyboard on the editor's first field."""
        first = self.focus_widget()
        if isinstance(first, ChoiceRow):
            self.hint.setText(f"1-{len(first.buttons)} pick · Tab: more · {CONFIRM_HINT}")
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_widget(self) -> QWidget:
        return self.note_edit

    def details(self) -> Details | None:
        """The answer, or None after saying in the editor what is missing."""
        return Details(note=self.note())

    def note(self) -> str | None:
        return self.note_edit.text().strip() or None

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)

    def confirm(self) -> None:
        details = self.details()
        if details is not None:
            self.confirmed.emit(details)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


def _to_qt(moment: datetime, zone: tzinfo) -> QDateTime:
    # The edit shows wall-clock values of ``zone``; kept in UTC so Qt shifts nothing.
    local = moment.astimezone(zone)
    return QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute), QTimeZone.utc()
    )


def _round_up(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    extra = -moment.minute % ROUND_TO_MINUTES
    return moment + timedelta(minutes=extra)


class CallbackEditor(InlineEditor):
    """Callback requested: when to call again (quick picks, or any date and time)."""

    PICKS = ("In 1 hour", "This evening", "Tomorrow, same time", "Another time")

    def __init__(
        self,
        now: datetime,
        zone: tzinfo,
        customer_zones: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Callback requested: when?", parent)
        self.now = now
        self.zone = zone
        self.customer_zones = customer_zones
        self.choices = ChoiceRow(self.PICKS)
        self.when_edit = QDateTimeEdit()
        self.when_edit.setTimeZone(QTimeZone.utc())  # wall-clock values, see _to_qt
        self.when_edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setAccessibleName("Callback date and time")
        self.their_time = QLabel()
        self.their_time.setObjectName("hint")
        self.fields.addWidget(self.choices)
        self.fields.addWidget(self.when_edit)
        self.fields.addWidget(self.their_time)
        self.fields.addWidget(self.note_edit, 1)
        self.choices.picked.connect(self._picked)
        self.when_edit.dateTimeChanged.connect(lambda _value: self._show_their_time())
        self.choices.pick(2)

    def pick_time(self, choice: int) -> datetime:
        local_now = self.now.astimezone(self.zone)
        if choice == 0:
            return _round_up(local_now + timedelta(hours=1))
        if choice == 1:
            evening = datetime.combine(local_now.date(), EVENING, self.zone)
            return max(evening, _round_up(local_now + timedelta(minutes=30)))
        return _round_up(local_now + timedelta(days=1))

    def _picked(self, choice: int) -> None:
        if choice == len(self.PICKS) - 1:
            # Another time: the keyboard goes to the hour, the most likely part to change.
            self.when_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.when_edit.setSelectedSection(QDateTimeEdit.Section.HourSection)
            return
        self.when_edit.setDateTime(_to_qt(self.pick_time(choice), self.zone))

    def callback_at(self) -> datetime:
        value = self.when_edit.dateTime()
        day, clock = value.date(), value.time()
        return datetime(
            day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=self.zone
        )

    def _show_their_time(self) -> None:
        self.their_time.setText(
            wording.customer_zone_note(self.customer_zones, self.zone, self.callback_at())
        )

    def focus_widget(self) -> QWidget:
        return self.choices

    def details(self) -> Details | None:
        at = self.callback_at()
        if at <= self.now:
            self.show_problem("That time has passed: pick a later one.")
            return None
        return Details(callback_at=at, note=self.note())


class VisitEditor(InlineEditor):
    """Accepted offer: the day the customer plans to come in, if they said one."""

    PICKS = ("No date yet", "Tomorrow", "Saturday", "Another day")

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("Accepted offer: when will they come in?", parent)
        self.today = today
        self.choices = ChoiceRow(self.PICKS)
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setAccessibleName("Planned visit date")
        self.date_edit.setMinimumDate(QDate(today.year, today.month, today.day))
        self.reminder = QLabel()
        self.reminder.setObjectName("hint")
        self.fields.addWidget(self.choices)
        self.fields.addWidget(self.date_edit)
        self.fields.addWidget(self.reminder)
        self.fields.addWidget(self.note_edit, 1)
        self.choices.picked.connect(self._picked)
        self.date_edit.dateChanged.connect(lambda _value: self._show_reminder())
        self.choices.pick(0)

    def pick_day(self, choice: int) -> date | None:
        if choice == 0:
            return None
        if choice == 1:
            return self.today + timedelta(days=1)
        days_to_saturday = (5 - self.today.weekday()) % 7 or 7
        return self.today + timedelta(days=days_to_saturday)

    def _picked(self, choice: int) -> None:
        self.date_edit.setEnabled(choice != 0)
        if choice == len(self.PICKS) - 1:
            self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        day = self.pick_day(choice)
        if day is not None:
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self._show_reminder()

    def visit_on(self) -> date | None:
        if self.choices.choice() == 0:
            return None
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())

    def _show_reminder(self) -> None:
        day = self.visit_on()
        if day is None:
            self.reminder.setText("No reminder call")
        elif day - timedelta(days=1) <= self.today:
            self.reminder.setText("Visit is tomorrow or sooner: no reminder call")
        else:
            self.reminder.setText(f"Reminder call {wording.short_date(day - timedelta(days=1))}")

    def focus_widget(self) -> QWidget:
        return self.choices

    def details(self) -> Details | None:
        return Details(visit_on=self.visit_on(), note=self.note())


class ChoiceEditor(InlineEditor):
    """A reason picked from a short list, with an optional note (Not interested, Skip)."""

    def __init__(
        self,
        title: str,
        codes: Sequence[str],
        labels: Sequence[str],
        default: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.codes = tuple(codes)
        self.choices = ChoiceRow(labels)
        self.fields.addWidget(self.choices)
        self.fields.addWidget(self.note_edit, 1)
        self.choices.pick(default)

    def focus_widget(self) -> QWidget:
        return self.choices

    def code(self) -> str:
        return self.codes[self.choices.choice()]

    def details(self) -> Details | None:
        return Details(reason=self.code(), note=self.note())


def editor_for(
    outcome: Outcome,
    *,
    now: datetime,
    zone: tzinfo,
    customer_zones: tuple[str, ...],
    reasons: Sequence[str],
    reason_labels: Sequence[str],
) -> InlineEditor | None:
    """The editor an outcome needs, or None when its key alone says everything."""
    if outcome.needs_callback_time:
        return CallbackEditor(now, zone, customer_zones)
    if outcome.needs_planned_visit_date:
        return VisitEditor(now.astimezone(zone).date())
    if outcome.needs_reason:
        default = len(reasons) - 1  # "other": a reason is never guessed for the caller
        return ChoiceEditor(f"{outcome.label}: why?", reasons, reason_labels, default)
    return None


def skip_editor() -> ChoiceEditor:
    return ChoiceEditor("Skip for now: why?", wording.SKIP_REASONS, wording.SKIP_REASONS, default=0)
