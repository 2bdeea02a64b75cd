"""The Stores and managers tab: store details (name, code, time zone, hours) and its managers."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import available_timezones

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns import managers as manager_service
from lastmile_desktop.campaigns import stores as store_service
from lastmile_desktop.campaigns.access import LeadAction, lead_only
from lastmile_desktop.campaigns.managers import ManagerInfo
from lastmile_desktop.campaigns.stores import (
    StoreDraft,
    StoreInfo,
    format_opening_hours,
    natural_sort_key,
    parse_opening_hours,
    store_sort_key,
)
from lastmile_desktop.ui.actions import UndoStep, UserAction
from lastmile_desktop.ui.assign.paged_model import Column, ListSource, PagedTableModel
from lastmile_desktop.ui.assign.widgets import hint_label, show_warning, warning_label
from lastmile_desktop.ui.campaigns.manager_dialog import (
    ManagerDialog,
    new_manager_dialog,
    save_from_dialog,
)
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.permissions import READ_ONLY_STYLE, permit_lead, set_field_read_only
from lastmile_desktop.ui.refresh_when_shown import RefreshWhenShown

# Time zone and opening hours are long: the details beside the list show them.
STORE_CODE = 0
STORE_NAME = 1
STORE_MANAGERS = 2

MANAGER_NAME = 0
MANAGER_PHONE = 1
MANAGER_EMAIL = 2
MANAGER_STATUS = 3
MANAGER_OPEN_WORK = 4

HOURS_EXAMPLE = "Mon-Fri 09:00-18:00, Sat 10:00-16:00"
CODE_TIP = "The code head office uses in its lists; imports match it."
ADD_MANAGER_TIP = "Add a manager to this store (Ctrl+M)"
EDIT_MANAGER_TIP = "Correct the manager's name, store, phone or email"
DEACTIVATE_TIP = "The manager leaves: no new work, gone from the profile picker, history kept."
REACTIVATE_TIP = "The manager is back: they can be picked and given work again."


def store_columns() -> list[Column[StoreInfo]]:
    return [
        Column("Code", lambda s: s.code, lambda s: natural_sort_key(s.code)),
        Column("Store", lambda s: s.name, lambda s: store_sort_key(s.name, s.code)),
        Column(
            "Managers",
            lambda s: str(s.active_managers),
            lambda s: s.active_managers,
            numeric=True,
        ),
    ]


def manager_columns() -> list[Column[ManagerInfo]]:
    number = QLocale().toString
    return [
        Column("Manager", lambda m: m.name, lambda m: m.name),
        Column("Phone", lambda m: m.phone or "", lambda m: m.phone or ""),
        Column("Email", lambda m: m.email or "", lambda m: m.email or ""),
        Column("Status", lambda m: "Active" if m.active else "Left", lambda m: not m.active),
        Column(
            "To call",
            lambda m: number(m.open_members),
            lambda m: m.open_members,
            numeric=True,
            tooltip="Customers still to call in open campaigns",
        ),
    ]


def _table(model: QAbstractItemModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class StoresTab(QWidget):
    """Edit stores and their managers. The services decide who may change what."""

    # Something about stores or managers changed: the Assign overview reloads.
    stores_changed = Signal()
    # The lead asked to move the open work of a manager who left (their id).
    move_work_requested = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(READ_ONLY_STYLE)
        self.context = context
        self.stores: list[StoreInfo] = []
        self.current: StoreInfo | None = None
        self.open_dialog: ManagerDialog | None = None  # the dialog an action opened
        self._details_edited = False  # typed into the store's fields and not saved yet
        self._refreshing = False

        self.store_model: PagedTableModel[StoreInfo] = PagedTableModel(
            store_columns(), default_sort=STORE_CODE, parent=self
        )
        self.store_table = _table(self.store_model)
        self.store_table.horizontalHeader().setSectionResizeMode(
            STORE_NAME, QHeaderView.ResizeMode.Stretch
        )
        self.store_table.horizontalHeader().setSortIndicator(
            STORE_CODE, Qt.SortOrder.AscendingOrder
        )
        self.store_table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._on_store_row()
        )
        self.stores_hint = hint_label(
            "No stores yet. Stores arrive with the first customer list you import; "
            "you can also add one here."
        )
        self.add_store_button = QPushButton("Add store")
        self.add_store_button.clicked.connect(self.start_new_store)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(self.store_table, 1)
        left_layout.addWidget(self.stores_hint)
        left_layout.addWidget(self.add_store_button, 0, Qt.AlignmentFlag.AlignLeft)

        # -- store details --
        self.name_edit = QLineEdit()
        self.code_edit = QLineEdit()
        self.timezone_combo = QComboBox()
        self.timezone_combo.setEditable(True)
        self.timezone_combo.addItem("")
        self.timezone_combo.addItems(sorted(available_timezones()))
        completer = QCompleter(self.timezone_combo.model(), self.timezone_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timezone_combo.setCompleter(completer)
        timezone_line = self.timezone_combo.lineEdit()
        if timezone_line is not None:
            timezone_line.setPlaceholderText("e.g. Europe/London")
        self.hours_edit = QLineEdit()
        self.hours_edit.setPlaceholderText(HOURS_EXAMPLE)
        for line in (self.name_edit, self.code_edit, self.hours_edit, timezone_line):
            if line is not None:
                line.textEdited.connect(self._on_details_edited)
        self.timezone_combo.activated.connect(self._on_details_edited)
        self.store_error = warning_label()
        self.save_store_button = QPushButton("Save store  (Ctrl+S)")
        self.save_store_button.setObjectName("primaryButton")
        self.save_store_button.clicked.connect(self.save_store)
        details_form = QFormLayout()
        details_form.addRow("&Name", self.name_edit)
        details_form.addRow("Code", self.code_edit)  # Alt+E is the Edit menu
        details_form.addRow("&Time zone", self.timezone_combo)
        details_form.addRow("&Opening hours", self.hours_edit)
        details_form.addRow(
            "",
            hint_label(
                f"Write them like {HOURS_EXAMPLE}. Leave empty to call within the "
                "campaign's calling hours."
            ),
        )
        self.details_box = QGroupBox("Store")
        details_layout = QVBoxLayout(self.details_box)
        details_layout.addLayout(details_form)
        details_layout.addWidget(self.store_error)
        details_layout.addWidget(self.save_store_button, 0, Qt.AlignmentFlag.AlignLeft)

        # -- managers --
        self.manager_model: PagedTableModel[ManagerInfo] = PagedTableModel(
            manager_columns(), default_sort=MANAGER_NAME, parent=self
        )
        self.manager_table = _table(self.manager_model)
        self.manager_table.horizontalHeader().setSectionResizeMode(
            MANAGER_EMAIL, QHeaderView.ResizeMode.Stretch
        )
        self.manager_table.horizontalHeader().setSortIndicator(
            MANAGER_NAME, Qt.SortOrder.AscendingOrder
        )
        self.manager_table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._update_manager_buttons()
        )
        self.manager_table.doubleClicked.connect(lambda _index: self.edit_manager())
        self.show_left_check = QCheckBox("Show managers who left")
        self.show_left_check.toggled.connect(lambda _on: self._load_managers())
        self.add_manager_button = QPushButton("Add manager...  (Ctrl+M)")
        self.add_manager_button.clicked.connect(self.add_manager)
        self.edit_manager_button = QPushButton("Edit...")
        self.edit_manager_button.clicked.connect(self.edit_manager)
        self.deactivate_button = QPushButton("Mark as left")
        self.deactivate_button.clicked.connect(self.toggle_active)
        self.move_work_button = QPushButton("Move their work...")
        self.move_work_button.clicked.connect(self._request_move_work)
        self.manager_hint = hint_label("")
        self.manager_error = warning_label()
        manager_buttons = QHBoxLayout()
        manager_buttons.addWidget(self.add_manager_button)
        manager_buttons.addWidget(self.edit_manager_button)
        manager_buttons.addWidget(self.deactivate_button)
        manager_buttons.addWidget(self.move_work_button)
        manager_buttons.addStretch(1)
        manager_buttons.addWidget(self.show_left_check)
        self.managers_box = QGroupBox("Managers")
        managers_layout = QVBoxLayout(self.managers_box)
        managers_layout.addWidget(self.manager_table, 1)
        managers_layout.addWidget(self.manager_hint)
        managers_layout.addWidget(self.manager_error)
        managers_layout.addLayout(manager_buttons)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.details_box)
        right_layout.addWidget(self.managers_box, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 820])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # Window-wide while this tab is shown: Ctrl+M works right after switching to the tab.
        for keys, slot in (("Ctrl+S", self.save_store), ("Ctrl+M", self.add_manager)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

        context.profile_changed.connect(lambda _profile: self.reload())
        self.live = RefreshWhenShown(self, context, self._on_changes)
        self.reload()

    # -- stores -----------------------------------------------------------------------------
    def _on_changes(self, changes: Sequence[Changed]) -> None:
        # Imports add stores; assignments and calls change each manager's open work.
        kinds = (
            ChangeKind.STORES_CHANGED,
            ChangeKind.IMPORTED,
            ChangeKind.ASSIGNED,
            ChangeKind.MEMBERS_CHANGED,
        )
        if any(change.touches(*kinds) for change in changes):
            self.refresh()

    def _on_details_edited(self, *_args: object) -> None:
        self._details_edited = True

    def refresh(self) -> None:
        """Stores and managers again, keeping the store shown and anything typed but unsaved."""
        if not self._details_edited:
            self.reload()
            return
        self._refreshing = True
        try:
            self._fill_stores()
            rows = [info.id for info in self.store_model.loaded_rows()]
            if self.current is not None and self.current.id in rows:
                self.store_table.selectRow(rows.index(self.current.id))
        finally:
            self._refreshing = False
        self._load_managers()

    def _fill_stores(self) -> None:
        profile = self.context.profile
        # A store manager works on their own store only; the services refuse the others.
        self.stores = [
            store
            for store in store_service.list_stores(self.context.db)
            if profile.can_see_store(store.id)
        ]
        self.store_model.set_source(ListSource(self.stores, self.store_model.columns))
        self.stores_hint.setVisible(not self.stores)
        self.add_store_button.setVisible(profile.is_lead)

    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.current.id if self.current else None)
        self._fill_stores()
        rows = [info.id for info in self.store_model.loaded_rows()]
        own = self.context.profile.store_id
        wanted = keep if keep in rows else (own if own in rows else None)
        if wanted is None and rows:
            wanted = rows[0]
        if wanted is not None:
            self.select_store(wanted)
        else:
            self._show_store(None)

    def select_store(self, store_id: int) -> None:
        rows = [info.id for info in self.store_model.loaded_rows()]
        if store_id not in rows:
            return
        target = rows.index(store_id)
        unchanged = self.store_table.currentIndex().row() == target
        self.store_table.selectionModel().setCurrentIndex(
            self.store_model.index(target, STORE_CODE),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if unchanged:  # no currentRowChanged: show it again ourselves (after a reload)
            self._on_store_row()

    def _on_store_row(self) -> None:
        if self._refreshing:
            return
        row = self.store_table.currentIndex().row()
        if row >= 0:
            self._show_store(self.store_model.row_at(row))

    def _show_store(self, store: StoreInfo | None) -> None:
        self.current = store
        self._details_edited = False
        show_warning(self.store_error, "")
        show_warning(self.manager_error, "")
        profile = self.context.profile
        if store is None:
            self.details_box.setTitle("New store")
            for line in (self.name_edit, self.code_edit, self.hours_edit):
                line.clear()
            self.timezone_combo.setCurrentText("")
        else:
            self.details_box.setTitle(store.label)
            self.name_edit.setText(store.name)
            self.code_edit.setText(store.code)
            self.timezone_combo.setCurrentText(store.timezone or "")
            self.hours_edit.setText(format_opening_hours(store.opening_hours))
        may_edit = profile.is_lead or (store is not None and profile.can_see_store(store.id))
        for line in (self.name_edit, self.hours_edit):
            set_field_read_only(line, not may_edit)
        self.timezone_combo.setEnabled(may_edit)
        # Imports match stores by code, so only the lead changes it.
        set_field_read_only(self.code_edit, not profile.is_lead)
        self.code_edit.setToolTip(
            CODE_TIP if profile.is_lead else f"{CODE_TIP} {lead_only(LeadAction.CHANGE_STORE_CODE)}"
        )
        self.save_store_button.setEnabled(may_edit)
        self.managers_box.setEnabled(store is not None)
        self._load_managers()

    def start_new_store(self) -> None:
        if not self.context.profile.is_lead:
            return
        self.store_table.clearSelection()
        self.store_table.setCurrentIndex(self.store_model.index(-1, -1))
        self._show_store(None)
        self.name_edit.setFocus()

    def store_draft(self) -> StoreDraft:
        return StoreDraft(
            name=self.name_edit.text(),
            code=self.code_edit.text(),
            timezone=self.timezone_combo.currentText() or None,
            opening_hours=parse_opening_hours(self.hours_edit.text()),
        )

    def save_store(self) -> None:
        db, profile, current = self.context.db, self.context.profile, self.current

        def save() -> StoreInfo:
            draft = self.store_draft()  # unreadable opening hours are refused here
            if current is None:
                return store_service.add_store(db, draft, profile)
            return store_service.update_store(db, current.id, draft, profile)

        action = UserAction(self.context, save, parent=self)
        action.announces(Changed(ChangeKind.STORES_CHANGED))
        action.on_user_error(lambda error: show_warning(self.store_error, str(error)))
        action.on_success(self._store_saved)
        action.run()

    def _store_saved(self, saved: StoreInfo) -> None:
        self.reload(select_id=saved.id)
        self.stores_changed.emit()

    # -- managers ---------------------------------------------------------------------------
    def _load_managers(self) -> None:
        managers: list[ManagerInfo] = []
        if self.current is not None:
            db, profile, store_id = self.context.db, self.context.profile, self.current.id
            include_left = self.show_left_check.isChecked()
            managers = self.context.read(
                lambda: manager_service.list_managers(
                    db, profile, store_id=store_id, include_inactive=include_left
                ),
                managers,
            )
        self.manager_model.set_source(ListSource(managers, self.manager_model.columns))
        if self.current is None:
            self.manager_hint.setText("")
        elif not managers:
            self.manager_hint.setText(
                "No managers at this store yet. Add one (Ctrl+M) so the store's customers "
                "can be shared out."
            )
        else:
            self.manager_hint.setText("")
        self.manager_hint.setVisible(bool(self.manager_hint.text()))
        self._update_manager_buttons()

    def selected_manager(self) -> ManagerInfo | None:
        row = self.manager_table.currentIndex().row()
        return self.manager_model.row_at(row) if row >= 0 else None

    def select_manager(self, manager_id: int) -> None:
        for row, info in enumerate(self.manager_model.loaded_rows()):
            if info.id == manager_id:
                self.manager_table.selectRow(row)
                return

    def _update_manager_buttons(self) -> None:
        profile = self.context.profile
        is_lead = profile.is_lead
        manager = self.selected_manager()
        permit_lead(
            self.add_manager_button,
            profile,
            LeadAction.ADD_MANAGERS,
            ADD_MANAGER_TIP,
            enabled=self.current is not None,
        )
        permit_lead(
            self.edit_manager_button,
            profile,
            LeadAction.CHANGE_MANAGERS,
            EDIT_MANAGER_TIP,
            enabled=manager is not None,
        )
        left = manager is not None and not manager.active
        permit_lead(
            self.deactivate_button,
            profile,
            LeadAction.REACTIVATE_MANAGERS if left else LeadAction.DEACTIVATE_MANAGERS,
            REACTIVATE_TIP if left else DEACTIVATE_TIP,
            enabled=manager is not None,
        )
        self.deactivate_button.setText("Reactivate" if left else "Mark as left")
        leftover = manager is not None and not manager.active and manager.open_members > 0
        self.move_work_button.setVisible(is_lead and leftover)
        if leftover and manager is not None:
            show_warning(
                self.manager_error,
                f"{manager.name} has left but still owns {manager.open_members} customers to "
                "call: move their work to the store's other managers.",
            )
        else:
            show_warning(self.manager_error, "")

    def add_manager(self) -> None:
        if not self.context.profile.is_lead or self.current is None:
            return
        dialog = new_manager_dialog(
            self.context, self.stores, store_id=self.current.id, parent=self
        )
        self._open_manager_dialog(dialog)

    def edit_manager(self) -> None:
        manager = self.selected_manager()
        if not self.context.profile.is_lead or manager is None:
            return
        db, profile = self.context.db, self.context.profile
        dialog = ManagerDialog(self.stores, manager=manager, parent=self)
        save_from_dialog(
            dialog,
            self.context,
            lambda draft: manager_service.update_manager(db, manager.id, draft, profile),
        )
        self._open_manager_dialog(dialog)

    def _open_manager_dialog(self, dialog: ManagerDialog) -> None:
        self.open_dialog = dialog
        dialog.accepted.connect(lambda: self._manager_saved(dialog))
        dialog.open()

    def _manager_saved(self, dialog: ManagerDialog) -> None:
        if dialog.saved is None:
            return
        self.reload(select_id=self.current.id if self.current else None)
        self.select_manager(dialog.saved.id)
        self.stores_changed.emit()

    def toggle_active(self) -> None:
        manager = self.selected_manager()
        if not self.context.profile.is_lead or manager is None:
            return
        db, profile, manager_id = self.context.db, self.context.profile, manager.id
        leaving = manager.active

        def mark_left() -> ManagerInfo:
            return manager_service.deactivate_manager(db, manager_id, profile)

        def reactivate() -> ManagerInfo:
            return manager_service.reactivate_manager(db, manager_id, profile)

        action = UserAction(self.context, mark_left if leaving else reactivate, parent=self)
        action.announces(Changed(ChangeKind.STORES_CHANGED))
        action.undoable(
            lambda changed: UndoStep(
                f"mark {changed.name} as left" if leaving else f"reactivate {changed.name}",
                undo=reactivate if leaving else mark_left,
                redo=mark_left if leaving else reactivate,
                changes=(Changed(ChangeKind.STORES_CHANGED),),
            )
        )
        action.on_user_error(lambda error: show_warning(self.manager_error, str(error)))
        action.on_success(self._activity_changed)
        action.run()

    def _activity_changed(self, changed: ManagerInfo) -> None:
        if not changed.active:
            self.show_left_check.setChecked(True)  # keep them in view to move their work
        self.reload(select_id=changed.store_id)
        self.select_manager(changed.id)
        self.stores_changed.emit()

    def _request_move_work(self) -> None:
        manager = self.selected_manager()
        if manager is not None:
            self.move_work_requested.emit(manager.id)
