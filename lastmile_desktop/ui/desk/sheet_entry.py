"""Type in a call sheet: the outcomes ticked on paper, entered with the time each call happened.

A grid with the sheet's lines in the printed order. Per line: the key of the ticked box (the
same keys as the desk), the time written beside it, what the outcome needs (callback time,
visit date or reason) and a note. Enter moves down, Tab moves right, Ctrl+S logs every filled
line, each as its own call at its own time; a line that cannot be logged says why and stays.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QDate, QLocale, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.log import LoggedCall, log_outcome
from lastmile_desktop.calling.outbox import QueuedCall, log_or_queue
from lastmile_desktop.calling.outcomes import (
    NOT_INTERESTED_REASONS,
    Outcome,
    outcome_by_code,
    outcome_for_key,
)
from lastmile_desktop.calling.queue import QueueEntry
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk import wording
from lastmile_desktop.ui.worker import Task

COLUMN_NUMBER = 0
COLUMN_CUSTOMER = 1
COLUMN_PHONE = 2
COLUMN_KEY = 3
COLUMN_TIME = 4
COLUMN_DETAIL = 5
COLUMN_NOTE = 6
COLUMN_RESULT = 7
COLUMN_TITLES = ("#", "Customer", "Phone", "Key", "Time", "Callback / visit / reason", "Note", "")
EDITABLE = (COLUMN_KEY, COLUMN_TIME, COLUMN_DETAIL, COLUMN_NOTE)
OK_COLOR = QColor("#1e6b34")
PROBLEM_COLOR = QColor("#b3261e")
KEPT_COLOR = QColor("#a35200")
# What became of a typed line: logged, kept in the outbox (server out of reach), or refused.
LineResult = LoggedCall | QueuedCall | str

_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.h]?\s*(\d{2})\s*$")


class LineProblem(ValueError):
    """What is wrong with one typed line, in words for the Result column."""


@dataclass(frozen=True)
class TypedCall:
    """One line of the sheet read into what log_outcome takes."""

    outcome: Outcome
    at: datetime
    callback_at: datetime | None
    visit_on: date | None
    reason: str | None
    note: str | None


def parse_time(text: str) -> time:
    """14:03, 14.03, 1403 or 9:05."""
    match = _TIME.match(text)
    if not match:
        raise LineProblem(f"Write the time as 14:03, not {text.strip()!r}.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise LineProblem(f"{text.strip()} is not a time of day.")
    return time(hour, minute)


def parse_day(text: str, sheet_day: date) -> date:
    """A date as 2026-03-14, as this computer writes short dates, or tomorrow / +N days."""
    cleaned = text.strip().lower()
    if cleaned in ("today", ""):
        return sheet_day
    if cleaned == "tomorrow":
        return sheet_day + timedelta(days=1)
    if cleaned.startswith("+") and cleaned[1:].isdigit():
        return sheet_day + timedelta(days=int(cleaned[1:]))
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    locale = QLocale()
    for fmt in (locale.dateFormat(QLocale.FormatType.ShortFormat), "d/M/yyyy", "d/M"):
        value = QDate.fromString(text.strip(), fmt)
        if value.isValid():
            year = value.year() if "y" in fmt else sheet_day.year
            return date(year, value.month(), value.day())
    raise LineProblem(f"Write the date as {sheet_day.isoformat()}, not {text.strip()!r}.")


def parse_reason(text: str) -> str:
    cleaned = text.strip().lower()
    if cleaned.isdigit() and 1 <= int(cleaned) <= len(NOT_INTERESTED_REASONS):
        return NOT_INTERESTED_REASONS[int(cleaned) - 1]
    for code in NOT_INTERESTED_REASONS:
        if cleaned and code.startswith(cleaned):
            return code
    choices = ", ".join(f"{n} {code}" for n, code in enumerate(NOT_INTERESTED_REASONS, start=1))
    raise LineProblem(f"Give a reason: {choices}.")


def read_line(
    key: str, *, at_text: str, detail: str, note: str, sheet_day: date, zone: tzinfo
) -> TypedCall:
    """One typed line as a call, or ``LineProblem`` saying what to fix."""
    outcome = outcome_for_key(key.strip()) if key.strip() else None
    if outcome is None:
        raise LineProblem(f"{key.strip()!r} is not an outcome key.")
    if not at_text.strip():
        raise LineProblem("Write the time of the call.")
    at = datetime.combine(sheet_day, parse_time(at_text), zone)
    callback_at: datetime | None = None
    visit_on: date | None = None
    reason: str | None = None
    if outcome.needs_callback_time:
        callback_at = _read_callback(detail, sheet_day, zone)
    elif outcome.needs_planned_visit_date and detail.strip():
        visit_on = parse_day(detail, sheet_day)
    elif outcome.needs_reason:
        reason = parse_reason(detail)
    return TypedCall(outcome, at, callback_at, visit_on, reason, note.strip() or None)


def _read_callback(detail: str, sheet_day: date, zone: tzinfo) -> datetime:
    """'18:00' (the sheet's day), 'tomorrow 10:00' or '2026-03-14 10:00'."""
    parts = detail.strip().rsplit(" ", 1)
    if not detail.strip():
        raise LineProblem("Write when to call back, e.g. 18:00 or tomorrow 10:00.")
    if len(parts) == 1:
        return datetime.combine(sheet_day, parse_time(parts[0]), zone)
    return datetime.combine(parse_day(parts[0], sheet_day), parse_time(parts[1]), zone)


class _GridDelegate(QStyledItemDelegate):
    """The Key column takes one letter, shown in capitals."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if index.column() == COLUMN_KEY and isinstance(editor, QLineEdit):
            editor.setMaxLength(1)
            editor.textEdited.connect(lambda text, edit=editor: edit.setText(text.upper()))
        return editor


class SheetGrid(QTableWidget):
    """Enter saves the cell and goes down a line, as on paper."""

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._down()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # While a cell is edited, Enter reaches here too; closing the editor moves down then.
        editing = self.state() == QAbstractItemView.State.EditingState
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not editing:
            self._down()
            return
        super().keyPressEvent(event)

    def _down(self) -> None:
        current = self.currentIndex()
        if current.isValid() and current.row() + 1 < self.rowCount():
            self.setCurrentCell(current.row() + 1, current.column())


def _changes(results: list[tuple[int, TypedCall, LineResult]]) -> list[Changed]:
    """The members whose calls were logged, per campaign; the do-not-call list if it grew."""
    logged = [result for _row, _call, result in results if isinstance(result, LoggedCall)]
    by_campaign: dict[int, list[int]] = {}
    for call in logged:
        by_campaign.setdefault(call.campaign_id, []).append(call.member_id)
    changes = [
        Changed(ChangeKind.MEMBERS_CHANGED, campaign_id, tuple(members))
        for campaign_id, members in by_campaign.items()
    ]
    if any(outcome_by_code(call.outcome).adds_to_do_not_call for call in logged):
        changes.append(Changed(ChangeKind.DO_NOT_CALL_CHANGED))
    return changes


class SheetEntryDialog(QDialog):
    """Outside the call loop (a sheet is typed in after the round), so a dialog is fine here."""

    # Calls were logged: the LoggedCall of each.
    calls_logged = Signal(list)
    # A save finished: calls logged, lines left to fix.
    saved = Signal(int, int)

    def __init__(
        self,
        context: AppContext,
        lines: Sequence[tuple[int, QueueEntry]],
        *,
        sheet_day: date,
        zone: tzinfo,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Type in a call sheet")
        self.context = context
        self.lines = list(lines)
        self.zone = zone
        self.clock = clock
        self.saved_rows: set[int] = set()
        self.task: Task[list[tuple[int, TypedCall, LineResult]]] | None = None
        # Saving now: set until the results are shown (the task itself ends a moment later).
        self.saving = False
        self.resize(1100, 620)

        intro = QLabel(
            "For each ticked line: the box's key (N, B, V...), the time written beside it, and "
            "for C a callback time (18:00, tomorrow 10:00), for A a visit date if one was "
            "given, for X a reason (1 price, 2 product, 3 service, 4 moved, 5 other). "
            "Enter goes down a line, Tab goes right."
        )
        intro.setWordWrap(True)
        self.day_edit = QDateEdit(QDate(sheet_day.year, sheet_day.month, sheet_day.day))
        self.day_edit.setDisplayFormat("ddd d MMM yyyy")
        self.day_edit.setCalendarPopup(True)
        day_label = QLabel("Calls made on &day")
        day_label.setBuddy(self.day_edit)

        self.grid = SheetGrid(len(self.lines), len(COLUMN_TITLES))
        self.grid.setItemDelegate(_GridDelegate(self.grid))
        self.grid.setHorizontalHeaderLabels(list(COLUMN_TITLES))
        self.grid.verticalHeader().setVisible(False)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(COLUMN_CUSTOMER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMN_RESULT, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (COLUMN_NUMBER, 40),
            (COLUMN_PHONE, 140),
            (COLUMN_KEY, 44),
            (COLUMN_TIME, 64),
            (COLUMN_DETAIL, 170),
            (COLUMN_NOTE, 170),
        ):
            self.grid.setColumnWidth(column, width)
        for row, (number, entry) in enumerate(self.lines):
            values = {
                COLUMN_NUMBER: str(number),
                COLUMN_CUSTOMER: entry.name,
                COLUMN_PHONE: wording.display_phone(entry.phone),
            }
            for column in range(len(COLUMN_TITLES)):
                item = QTableWidgetItem(values.get(column, ""))
                if column not in EDITABLE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.grid.setItem(row, column, item)
        self.grid.itemChanged.connect(self._on_item_changed)
        if self.lines:
            self.grid.setCurrentCell(0, COLUMN_KEY)

        self.save_action = QAction("Save the typed calls", self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.save_button = QPushButton("Save the typed calls  (Ctrl+S)")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close  (Esc)")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(day_label)
        top.addWidget(self.day_edit)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addLayout(buttons)
        self.grid.setFocus()

    def sheet_day(self) -> date:
        value = self.day_edit.date()
        return date(value.year(), value.month(), value.day())

    def cell(self, row: int, column: int) -> str:
        item = self.grid.item(row, column)
        return item.text() if item is not None else ""

    def set_cell(self, row: int, column: int, text: str) -> None:
        item = self.grid.item(row, column)
        if item is not None:
            item.setText(text)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == COLUMN_KEY and item.row() not in self.saved_rows:
            outcome = outcome_for_key(item.text()) if item.text() else None
            label = outcome.label if outcome else ("" if not item.text() else "not a key")
            self._result(item.row(), label, None)

    def _result(self, row: int, text: str, color: QColor | None) -> None:
        result = self.grid.item(row, COLUMN_RESULT)
        if result is None:
            return
        self.grid.blockSignals(True)
        try:
            result.setText(text)
            result.setToolTip(text)
            result.setForeground(QBrush(color) if color is not None else QBrush())
        finally:
            self.grid.blockSignals(False)

    def typed_rows(self) -> list[int]:
        return [
            row
            for row in range(self.grid.rowCount())
            if row not in self.saved_rows and self.cell(row, COLUMN_KEY).strip()
        ]

    def save(self) -> None:
        """Logs every filled line, each in its own transaction, in the background.

        Lines that cannot be read or logged keep their reason in the right-hand column.
        """
        if self.saving:
            return
        if self.grid.state() == QAbstractItemView.State.EditingState:
            self.grid.setCurrentIndex(self.grid.currentIndex())  # commits the open cell
        problems: dict[int, str] = {}
        calls: list[tuple[int, uuid.UUID, TypedCall]] = []
        now = self.clock()
        for row in self.typed_rows():
            _number, entry = self.lines[row]
            try:
                call = read_line(
                    self.cell(row, COLUMN_KEY),
                    at_text=self.cell(row, COLUMN_TIME),
                    detail=self.cell(row, COLUMN_DETAIL),
                    note=self.cell(row, COLUMN_NOTE),
                    sheet_day=self.sheet_day(),
                    zone=self.zone,
                )
                if call.at > now:
                    raise LineProblem("That time is still to come: check the day and time.")
            except LineProblem as problem:
                problems[row] = str(problem)
                continue
            calls.append((row, entry.member, call))
        db, profile, outbox = self.context.db, self.context.profile, self.context.outbox

        def log_line(member: uuid.UUID, call: TypedCall) -> LoggedCall | QueuedCall:
            if outbox is not None:  # a server: a line it cannot take now waits in the outbox
                return log_or_queue(
                    db,
                    outbox,
                    profile,
                    member,
                    call.outcome.code,
                    note=call.note,
                    callback_at=call.callback_at,
                    visit_on=call.visit_on,
                    reason=call.reason,
                    at=call.at,
                )
            return log_outcome(
                db,
                profile,
                member,
                call.outcome.code,
                note=call.note,
                callback_at=call.callback_at,
                visit_on=call.visit_on,
                reason=call.reason,
                at=call.at,
            )

        def write(progress: Progress) -> list[tuple[int, TypedCall, LineResult]]:
            results: list[tuple[int, TypedCall, LineResult]] = []
            for done, (row, member, call) in enumerate(calls):
                progress.report(done, len(calls), "Saving the typed calls...")
                try:
                    logged: LineResult = log_line(member, call)
                except UserFacingError as refused:
                    logged = str(refused)
                results.append((row, call, logged))
            return results

        def written(results: list[tuple[int, TypedCall, LineResult]]) -> None:
            self.saving = False
            self._show_results(results, problems)

        def stopped() -> None:
            self.saving = False
            self.save_button.setEnabled(True)

        self.saving = True
        self.save_button.setEnabled(False)
        action = UserAction.with_progress(self.context, write, parent=self)
        action.announces(_changes)
        action.on_failure(lambda _error: stopped())
        action.on_success(written)
        self.task = action.run_in_background(on_cancel=stopped)

    def _show_results(
        self, results: list[tuple[int, TypedCall, LineResult]], problems: dict[int, str]
    ) -> None:
        self.save_button.setEnabled(True)
        logged: list[LoggedCall] = []
        kept = 0
        for row, call, result in results:
            if isinstance(result, str):
                problems[row] = result
                continue
            self.saved_rows.add(row)  # logged or kept: never typed in twice
            self._lock_row(row)
            when = wording.clock_time(call.at, self.zone)
            if isinstance(result, QueuedCall):
                kept += 1
                self._result(
                    row,
                    f"Kept on this computer: {call.outcome.label} at {when}, sent once the "
                    "database server answers",
                    KEPT_COLOR,
                )
                continue
            logged.append(result)
            self._result(row, f"Saved: {call.outcome.label} at {when}", OK_COLOR)
        for row, problem in problems.items():
            self._result(row, problem, PROBLEM_COLOR)
        self._summarise(len(logged), len(problems), kept)
        if kept:
            self.context.outbox_changed.emit()
        if logged:
            self.calls_logged.emit(logged)
        self.saved.emit(len(logged), len(problems))

    def _lock_row(self, row: int) -> None:
        self.grid.blockSignals(True)
        try:
            for column in EDITABLE:
                item = self.grid.item(row, column)
                if item is not None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(QBrush(QColor("#5f6b73")))
        finally:
            self.grid.blockSignals(False)

    def _summarise(self, saved: int, problems: int, kept: int = 0) -> None:
        parts = []
        if saved:
            parts.append(f"{wording.count(saved, 'call')} saved")
        if kept:
            parts.append(
                f"{wording.count(kept, 'call')} kept on this computer until the database "
                "server answers"
            )
        if problems:
            parts.append(f"{wording.count(problems, 'line')} to fix (see the right-hand column)")
        if not parts:
            parts.append("Nothing typed yet: put the key of the ticked box in the Key column.")
        self.summary.setText("; ".join(parts) + ".")
        self.summary.setStyleSheet(f"color: {PROBLEM_COLOR.name()};" if problems else "")
