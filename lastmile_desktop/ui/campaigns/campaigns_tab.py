"""The Campaigns tab: the list of campaigns beside the editor; create, save, close, reopen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns import campaigns as service
from lastmile_desktop.campaigns.access import LeadAction, lead_only
from lastmile_desktop.campaigns.campaigns import CampaignDraft, CampaignInfo
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.ui.actions import UndoStep, UserAction
from lastmile_desktop.ui.assign.paged_model import Column, ListSource, PagedTableModel
from lastmile_desktop.ui.assign.widgets import hint_label, show_warning, warning_label
from lastmile_desktop.ui.campaigns.form import CampaignForm
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.permissions import permit_lead
from lastmile_desktop.ui.refresh_when_shown import RefreshWhenShown

COLUMN_NAME = 0
COLUMN_STATE = 1
COLUMN_MEMBERS = 2
COLUMN_SCRIPT_VERSION = 3
NEW_TIP = "Start a new campaign with the usual defaults (Ctrl+N)"
SAVE_TIP = "Save the changes (Ctrl+S); a changed offer or script becomes a new script version"
CLOSE_TIP = (
    "Stop calling: the campaign leaves the call queues and keeps all its results. "
    "You can reopen it."
)
REOPEN_TIP = "Put the campaign back in the call queues"


def campaign_columns() -> list[Column[CampaignInfo]]:
    number = QLocale().toString
    return [
        Column("Campaign", lambda c: c.name, lambda c: c.name),
        Column("State", lambda c: c.state.value.title(), lambda c: c.state.value),
        Column("Customers", lambda c: number(c.members), lambda c: c.members, numeric=True),
        Column(
            "Script",
            lambda c: f"v{c.script_version}" if c.script_version else "—",
            lambda c: c.script_version,
            numeric=True,
            tooltip="Script version: each saved change of offer or script adds one.",
        ),
    ]


class CampaignListModel(PagedTableModel[CampaignInfo]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(campaign_columns(), default_sort=COLUMN_NAME, parent=parent)
        self.sort_column = -1  # the service's order (open first, newest first) until asked

    def show_campaigns(self, campaigns: list[CampaignInfo]) -> None:
        self.set_source(_ServiceOrder(campaigns, self.columns))

    def row_of(self, campaign_id: int) -> int:
        for row, info in enumerate(self.loaded_rows()):
            if info.id == campaign_id:
                return row
        return -1


class _ServiceOrder(ListSource[CampaignInfo]):
    """The service's order until the user clicks a header."""

    def __init__(self, rows: list[CampaignInfo], columns: list[Column[CampaignInfo]]) -> None:
        super().__init__(rows, columns)
        self._unsorted = rows

    def page(
        self, offset: int, limit: int, sort_column: int, descending: bool
    ) -> list[CampaignInfo]:
        if sort_column < 0:
            return self._unsorted[offset : offset + limit]
        return list(super().page(offset, limit, sort_column, descending))


class CampaignsTab(QWidget):
    """Create and edit campaigns. Only the lead saves; a manager reads."""

    # A campaign was created, saved, closed or reopened; carries its id.
    campaign_saved = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.current: CampaignInfo | None = None
        self._dirty = False
        self._refreshing = False  # the list is being filled again: keep the editor as it is

        self.model = CampaignListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # No arrow until the user clicks a header: the service's order comes first.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COLUMN_NAME, QHeaderView.ResizeMode.Stretch)
        for column in (COLUMN_STATE, COLUMN_MEMBERS, COLUMN_SCRIPT_VERSION):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.empty_hint = hint_label(
            "No campaigns yet. Press New campaign (Ctrl+N), or import a customer list: "
            "an import creates its campaign."
        )
        self.new_button = QPushButton("New campaign  (Ctrl+N)")
        self.new_button.clicked.connect(self.start_new)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty_hint)
        left_layout.addWidget(self.new_button)

        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600; color: #1f3a4d;")
        self.state_hint = hint_label("")
        self.read_only_hint = hint_label(
            lead_only(LeadAction.CHANGE_CAMPAIGNS) + " You can read every field."
        )
        self.form = CampaignForm()
        self.form.edited.connect(self._on_edited)
        self.error_label = warning_label()
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Forget the changes not saved yet")
        self.revert_button.clicked.connect(self.revert)
        self.close_button = QPushButton("Close campaign")
        self.close_button.clicked.connect(self.toggle_closed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(8, 0, 0, 0)
        editor_layout.addWidget(self.heading)
        editor_layout.addWidget(self.state_hint)
        editor_layout.addWidget(self.read_only_hint)
        editor_layout.addWidget(self.form)
        editor_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(editor)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # The form scrolls on a small screen; its message and buttons stay in view below it.
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroll, 1)
        footer = QVBoxLayout()
        footer.setContentsMargins(8, 0, 0, 0)
        footer.addWidget(self.error_label)
        footer.addLayout(buttons)
        right_layout.addLayout(footer)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # Window-wide while this tab is shown: no click into the tab needed first.
        for keys, slot in (("Ctrl+N", self.start_new), ("Ctrl+S", self.save)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

        context.profile_changed.connect(lambda _profile: self._apply_profile())
        self.live = RefreshWhenShown(self, context, self._on_changes)
        self.reload()

    # -- loading ----------------------------------------------------------------------------
    def _on_changes(self, changes: Sequence[Changed]) -> None:
        kinds = (ChangeKind.IMPORTED, ChangeKind.CAMPAIGN_CHANGED, ChangeKind.ASSIGNED)
        if any(change.touches(*kinds) for change in changes):
            self.refresh()

    def refresh(self) -> None:
        """The list again after a change anywhere; the selection and unsaved edits stay."""
        if not self._dirty:
            self.reload()
            return
        self._refreshing = True
        try:
            campaigns = service.list_campaigns(self.context.db)
            self.model.show_campaigns(campaigns)
            self.empty_hint.setVisible(not campaigns)
            row = self.model.row_of(self.current.id) if self.current is not None else -1
            if row >= 0:
                self.table.selectRow(row)
        finally:
            self._refreshing = False

    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.current.id if self.current else None)
        campaigns = service.list_campaigns(self.context.db)
        self.model.show_campaigns(campaigns)
        self.empty_hint.setVisible(not campaigns)
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and campaigns and self.current is not None:
            row = 0
        if row >= 0:
            self._select_row(row)
        elif self.current is None:
            self._show(None)
        self._apply_profile()

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, COLUMN_NAME)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._show(self.model.row_at(row))

    def _on_row_changed(self, current: object, _previous: object) -> None:
        if self._refreshing:
            return
        row = self.table.currentIndex().row()
        if row >= 0:
            self._show(self.model.row_at(row))

    def select_campaign(self, campaign_id: int) -> None:
        row = self.model.row_of(campaign_id)
        if row >= 0:
            self._select_row(row)

    def _show(self, info: CampaignInfo | None) -> None:
        self.current = info
        show_warning(self.error_label, "")
        if info is None:
            self.heading.setText("New campaign")
            self.state_hint.setText(
                "Fill in the name and the offer; the other values start at sensible defaults."
            )
            self.form.show_draft(CampaignDraft(name=""))
        else:
            self.heading.setText(info.name)
            self.state_hint.setText(_describe_state(info))
            self.form.show_campaign(info)
        self._set_dirty(False)
        self._apply_profile()

    def _apply_profile(self) -> None:
        profile = self.context.profile
        is_lead = profile.is_lead
        self.form.set_read_only(not is_lead, lead_only(LeadAction.CHANGE_CAMPAIGNS))
        self.read_only_hint.setVisible(not is_lead)
        if is_lead and self.current is not None:
            self.form.holdout_spin.setEnabled(not self.current.holdout_locked)
        elif is_lead:
            self.form.holdout_spin.setEnabled(True)
        permit_lead(self.new_button, profile, LeadAction.CREATE_CAMPAIGNS, NEW_TIP)
        permit_lead(
            self.save_button, profile, LeadAction.CHANGE_CAMPAIGNS, SAVE_TIP, enabled=self._dirty
        )
        self.revert_button.setEnabled(self._dirty)
        closed = self.current is not None and not self.current.is_open
        permit_lead(
            self.close_button,
            profile,
            LeadAction.REOPEN_CAMPAIGNS if closed else LeadAction.CLOSE_CAMPAIGNS,
            REOPEN_TIP if closed else CLOSE_TIP,
            enabled=self.current is not None,
        )
        self.close_button.setText("Reopen campaign" if closed else "Close campaign")

    # -- editing ----------------------------------------------------------------------------
    def _on_edited(self) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        is_lead = self.context.profile.is_lead
        self.save_button.setEnabled(is_lead and dirty)
        self.revert_button.setEnabled(dirty)

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    def start_new(self) -> None:
        if not self.context.profile.is_lead:
            return
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._show(None)
        self.form.name_edit.setFocus()

    def revert(self) -> None:
        self._show(self.current)

    def save(self) -> None:
        if not self.context.profile.is_lead:
            return
        db, profile = self.context.db, self.context.profile
        original = self.current.holdout_share if self.current is not None else None
        current = self.current
        try:
            draft = self.form.draft(original_share=original)  # calling hours may be backwards
        except UserFacingError as error:
            show_warning(self.error_label, str(error))
            return

        def save() -> CampaignInfo:
            if current is None:
                return service.create_campaign(db, draft, profile)
            return service.update_campaign(db, current.id, draft, profile)

        action = UserAction(self.context, save, parent=self)
        action.announces(lambda info: Changed(ChangeKind.CAMPAIGN_CHANGED, info.id))
        action.on_user_error(lambda error: show_warning(self.error_label, str(error)))
        action.on_success(self._saved)
        action.run()

    def _saved(self, info: CampaignInfo) -> None:
        self._set_dirty(False)
        self.reload(select_id=info.id)
        self.campaign_saved.emit(info.id)

    def toggle_closed(self) -> None:
        if self.current is None or not self.context.profile.is_lead:
            return
        db, profile, campaign_id = self.context.db, self.context.profile, self.current.id
        closing = self.current.is_open

        def close() -> CampaignInfo:
            return service.close_campaign(db, campaign_id, profile)

        def reopen() -> CampaignInfo:
            return service.reopen_campaign(db, campaign_id, profile)

        action = UserAction(self.context, close if closing else reopen, parent=self)
        action.announces(Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id))
        action.undoable(
            lambda info: UndoStep(
                f"{'close' if closing else 'reopen'} {info.name}",
                undo=reopen if closing else close,
                redo=close if closing else reopen,
                changes=(Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id),),
            )
        )
        action.on_user_error(lambda error: show_warning(self.error_label, str(error)))
        action.on_success(self._saved)
        action.run()


def _describe_state(info: CampaignInfo) -> str:
    number = QLocale().toString
    parts = [
        "Open" if info.is_open else "Closed: out of the call queues, results kept",
        f"{number(info.members)} customers",
    ]
    if info.script_version:
        parts.append(f"script version {info.script_version}")
    return " · ".join(parts)
