"""The Do not call tab: the suppression list, adding, importing a file, removing with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns import do_not_call as service
from lastmile_desktop.campaigns.access import LeadAction
from lastmile_desktop.campaigns.do_not_call import DncAddResult, DncEntry
from lastmile_desktop.importing.suppression_list import DncImportCounts, import_suppression_file
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.paged_model import Column, ListSource, PagedTableModel
from lastmile_desktop.ui.assign.widgets import (
    ReasonDialog,
    SearchBox,
    hint_label,
    show_warning,
    warning_label,
)
from lastmile_desktop.ui.campaigns.dnc_dialogs import AddEntryDialog
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.permissions import permit_lead
from lastmile_desktop.ui.refresh_when_shown import RefreshWhenShown
from lastmile_desktop.ui.worker import Task

COLUMN_PHONE = 0
COLUMN_CUSTOMER_ID = 1
COLUMN_REASON = 2
COLUMN_SOURCE = 3
COLUMN_ADDED = 4
COLUMN_ADDED_BY = 5
COLUMN_STATUS = 6

IMPORT_TIP = "Put every number and customer id of head office's suppression list on the list"
REMOVE_TIP = "Lift the entry; the reason you give is kept with the list."
MANAGER_SCOPE = (
    "You see the entries for your store's customers; the regional lead sees the whole list."
)
SUPPRESSION_FILTER = "Suppression lists (*.csv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)"


def local_time(moment: datetime) -> str:
    """Stored in UTC, shown in the computer's time zone."""
    return moment.astimezone().strftime("%d %b %Y %H:%M")


def _status(entry: DncEntry) -> str:
    if entry.removed_at is None:
        return "Listed"
    return (
        f"Removed {entry.removed_at.astimezone():%d %b %Y} by {entry.removed_by}: "
        f"{entry.removed_reason}"
    )


def dnc_columns() -> list[Column[DncEntry]]:
    return [
        Column("Phone", lambda e: e.phone or "", lambda e: e.phone or ""),
        Column("Customer id", lambda e: e.customer_id or "", lambda e: e.customer_id or ""),
        Column("Reason", lambda e: e.reason, lambda e: e.reason),
        Column("Source", lambda e: e.source, lambda e: e.source),
        Column("Added", lambda e: local_time(e.added_at), lambda e: e.added_at),
        Column("Added by", lambda e: e.added_by, lambda e: e.added_by),
        Column("Status", _status, lambda e: (e.removed_at is not None, e.removed_at)),
    ]


def matches(entry: DncEntry, text: str) -> bool:
    """The search box: any part of the phone (digits only), id or reason."""
    folded = text.casefold()
    digits = "".join(ch for ch in text if ch.isdigit())
    if (
        digits
        and len(digits) >= 3
        and digits in "".join(ch for ch in entry.phone or "" if ch.isdigit())
    ):
        return True
    return any(folded in (value or "").casefold() for value in (entry.customer_id, entry.reason))


def describe_import(counts: DncImportCounts) -> str:
    number = QLocale().toString
    parts = [
        f"{number(counts.added)} added",
        f"{number(counts.already_listed)} already listed",
        f"{number(counts.rejected)} could not be used",
    ]
    line = f"{counts.file}: {number(counts.rows_read)} rows read — " + ", ".join(parts) + "."
    if counts.members_suppressed:
        line += f" {number(counts.members_suppressed)} customers left the open campaigns' calls."
    if counts.problems:
        first = counts.problems[0]
        line += f" First problem: row {first.row}: {first.reason}."
    return line


def describe_add(result: DncAddResult) -> str:
    who = result.entry.phone or result.entry.customer_id or "The entry"
    if result.already_listed:
        return f"{who} was already on the list; nothing changed."
    line = f"{who} is on the do-not-call list."
    if result.members_suppressed:
        line += f" {result.members_suppressed} customers left the open campaigns' calls."
    return line


class DncTab(QWidget):
    """Everyone may add (it only ever stops calls); the lead removes and imports."""

    # The list changed: counts on the Assign page change with it.
    list_changed = Signal()
    # An import of a suppression file finished (its counts), for tests and the status line.
    import_finished = Signal(object)
    # The lead asked to forget a customer (a privacy request); the Assign page finds them.
    forget_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.entries: list[DncEntry] = []
        self.task: Task[DncImportCounts] | None = None
        self.open_dialog: QDialog | None = None  # the dialog an action opened, for tests

        self.search = SearchBox("Search phone, customer id or reason  (Ctrl+F)")
        self.search.search_changed.connect(lambda _text: self._show_entries())
        self.show_removed_check = QCheckBox("Show removed entries")
        self.show_removed_check.toggled.connect(lambda _on: self.reload())
        self.count_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_removed_check)
        top.addWidget(self.count_label)

        self.model: PagedTableModel[DncEntry] = PagedTableModel(
            dnc_columns(), default_sort=COLUMN_ADDED, parent=self
        )
        self.model.sort_order = Qt.SortOrder.DescendingOrder
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_REASON, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COLUMN_ADDED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._update_buttons()
        )
        self.empty_hint = hint_label(
            "Nobody is on the do-not-call list yet. Add a number when a customer asks not to "
            "be called (Ctrl+N), or import the list head office keeps (Ctrl+I)."
        )

        self.add_button = QPushButton("Add...  (Ctrl+N)")
        self.add_button.clicked.connect(self.add_entry)
        self.import_button = QPushButton("Import a suppression file...  (Ctrl+I)")
        self.import_button.clicked.connect(self.choose_file)
        self.remove_button = QPushButton("Remove...  (Del)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.forget_button = QPushButton("Forget a customer...")
        self.forget_button.setToolTip(
            "A privacy request: erase a customer's personal data everywhere, keep the counts"
        )
        self.forget_button.clicked.connect(self.forget_requested)
        self.status_label = hint_label("")
        self.error_label = warning_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_button)

        self.scope_hint = hint_label(MANAGER_SCOPE)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scope_hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        for keys, slot in (
            ("Ctrl+N", self.add_entry),
            ("Ctrl+I", self.choose_file),
            ("Ctrl+F", self.search.setFocus),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)  # window-wide while shown
            shortcut.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected)

        # Another profile sees another part of the list (a manager: their store's customers').
        context.profile_changed.connect(lambda _profile: self.reload())
        self.live = RefreshWhenShown(self, context, self._on_changes)
        self.reload()

    # -- list -------------------------------------------------------------------------------
    def _on_changes(self, changes: Sequence[Changed]) -> None:
        if any(change.touches(ChangeKind.DO_NOT_CALL_CHANGED) for change in changes):
            self.refresh()

    def refresh(self) -> None:
        """The list again after a change anywhere, keeping the search and the selected entry."""
        selected = self.selected_entry()
        self.reload()
        if selected is not None:
            for row, entry in enumerate(self.model.loaded_rows()):
                if entry.id == selected.id:
                    self.table.selectRow(row)
                    break

    def reload(self) -> None:
        db, profile = self.context.db, self.context.profile
        removed = self.show_removed_check.isChecked()
        refused: list[DncEntry] = []
        self.entries = self.context.read(
            lambda: service.list_entries(db, profile, include_removed=removed), refused
        )
        self.scope_hint.setVisible(not profile.is_lead)
        self._show_entries()

    def _show_entries(self) -> None:
        text = self.search.text().strip()
        shown = [e for e in self.entries if matches(e, text)] if text else self.entries
        self.model.set_source(ListSource(shown, self.model.columns))
        number = QLocale().toString
        active = sum(1 for entry in self.entries if entry.active)
        self.count_label.setText(
            f"{number(len(shown))} shown" if text else f"{number(active)} listed"
        )
        self.empty_hint.setVisible(not self.entries)
        self._update_buttons()

    def selected_entry(self) -> DncEntry | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def _update_buttons(self) -> None:
        profile = self.context.profile
        entry = self.selected_entry()
        permit_lead(self.import_button, profile, LeadAction.IMPORT_DNC, IMPORT_TIP)
        self.forget_button.setVisible(profile.is_lead)
        permit_lead(
            self.remove_button,
            profile,
            LeadAction.REMOVE_DNC,
            REMOVE_TIP,
            enabled=entry is not None and entry.active,
        )

    def _report(self, text: str) -> None:
        show_warning(self.error_label, "")
        self.status_label.setText(text)

    # -- actions ----------------------------------------------------------------------------
    def add_entry(self) -> AddEntryDialog:
        dialog = AddEntryDialog(self)
        dialog.submitted.connect(
            lambda phone, customer_id, reason: self._add(dialog, phone, customer_id, reason)
        )
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def _add(self, dialog: AddEntryDialog, phone: str, customer_id: str, reason: str) -> None:
        db, profile = self.context.db, self.context.profile

        def add() -> DncAddResult:
            return service.add_entry(
                db,
                phone=phone or None,
                customer_id=customer_id or None,
                reason=reason,
                profile=profile,
            )

        def added(result: DncAddResult) -> None:
            dialog.finish(result)
            self._report(describe_add(result))
            self.list_changed.emit()

        action = UserAction(self.context, add, parent=dialog)
        action.announces(Changed(ChangeKind.DO_NOT_CALL_CHANGED))
        action.on_user_error(lambda error: dialog.show_error(str(error)))
        action.on_success(added)
        action.run()

    def remove_selected(self) -> ReasonDialog | None:
        entry = self.selected_entry()
        if entry is None or not entry.active or not self.context.profile.is_lead:
            return None
        who = entry.phone or entry.customer_id or f"entry {entry.id}"
        dialog = ReasonDialog(
            "Remove from the do-not-call list",
            f"{who} will be callable again in open campaigns. Why is it removed? "
            "The reason is kept with the list.",
            placeholder='e.g. "added by mistake: wrong number typed"',
            ok_text="Remove",
            parent=self,
        )
        db, profile = self.context.db, self.context.profile

        def removed(_entry: DncEntry) -> None:
            self._report(f"{who} was removed from the list.")
            self.list_changed.emit()

        def remove() -> None:
            action = UserAction(
                self.context,
                lambda: service.remove_entry(db, entry.id, reason=dialog.reason(), profile=profile),
                parent=self,
            )
            action.announces(Changed(ChangeKind.DO_NOT_CALL_CHANGED))
            action.on_user_error(lambda error: show_warning(self.error_label, str(error)))
            action.on_success(removed)
            action.run()

        dialog.accepted.connect(remove)
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def choose_file(self) -> None:
        if not self.context.profile.is_lead:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a suppression file", str(Path.home()), SUPPRESSION_FILTER
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Reads the file off the GUI thread; the buttons wait until it is done."""
        db, profile = self.context.db, self.context.profile
        self.import_button.setEnabled(False)
        self._report(f"Importing {path.name}...")

        def work(_progress: Progress) -> DncImportCounts:
            return import_suppression_file(db, path, profile)

        def done(counts: DncImportCounts) -> None:
            self._update_buttons()
            self._report(describe_import(counts))
            self.list_changed.emit()
            self.import_finished.emit(counts)

        def failed(_error: BaseException) -> None:
            self._update_buttons()
            self.status_label.setText("")

        action = UserAction.with_progress(self.context, work, parent=self)
        action.announces(Changed(ChangeKind.DO_NOT_CALL_CHANGED))
        action.on_user_error(lambda error: show_warning(self.error_label, str(error)))
        action.on_success(done)
        action.on_failure(failed)
        self.task = action.run_in_background()
