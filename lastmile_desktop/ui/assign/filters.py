"""The filter bar above the customer table: store, manager, status, and a search box."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.managers import ManagerInfo
from lastmile_desktop.campaigns.stores import StoreInfo
from lastmile_desktop.storage.models import MemberStatus
from lastmile_desktop.ui.assign.member_model import STATUS_LABELS
from lastmile_desktop.ui.assign.widgets import SearchBox

# Enough for most store and manager names before the combo cuts them off.
STORE_AND_MANAGER_CHARACTERS = 12  # the list that drops down shows names in full
# Special lines of the combos (database ids start at 1): everything, and no store yet.
ALL_ENTRY = 0
UNASSIGNED_ENTRY = -1


@dataclass(frozen=True)
class FilterChoice:
    store_id: int | None = None
    manager_id: int | None = None
    status: MemberStatus | None = None
    search: str = ""
    unassigned: bool = False  # the Unassigned bucket


class MemberFilterBar(QWidget):
    changed = Signal(object)  # FilterChoice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_combo = QComboBox()
        self.store_combo.setMinimumContentsLength(STORE_AND_MANAGER_CHARACTERS)
        self.store_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.manager_combo = QComboBox()
        self.manager_combo.setMinimumContentsLength(STORE_AND_MANAGER_CHARACTERS)
        self.manager_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status_combo = QComboBox()
        self._fill_statuses(with_holdout=True)
        self.search = SearchBox("Search name or phone  (Ctrl+F)")
        self.search.setMinimumWidth(150)
        self.managers: list[ManagerInfo] = []
        self.profile: Profile | None = None  # whose choices the combos hold

        # The search gets a row of its own: beside three combos its hint would be cut off
        # on a 1280-pixel screen.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        self.search_row = QHBoxLayout()  # the page may add a count beside the search
        self.search_row.addWidget(self.search, 1)
        rows.addLayout(self.search_row)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(row)
        for label, widget in (
            ("Sto&re", self.store_combo),
            ("Ma&nager", self.manager_combo),
            ("S&tatus", self.status_combo),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addStretch(1)

        self.store_combo.currentIndexChanged.connect(self._on_store_changed)
        self.manager_combo.currentIndexChanged.connect(lambda _index: self._emit())
        self.status_combo.currentIndexChanged.connect(lambda _index: self._emit())
        self.search.search_changed.connect(lambda _text: self._emit())
        self._quiet = False

    # -- filling ----------------------------------------------------------------------------
    def set_choices(
        self, stores: list[StoreInfo], managers: list[ManagerInfo], profile: Profile
    ) -> None:
        """The stores and managers this profile may filter by; keeps the current choice while
        the profile stays, and starts from every store the new one may see when it changes."""
        same_profile = profile == self.profile
        keep_store = self.store_combo.currentData() if same_profile else None
        keep_manager = self.manager_combo.currentData() if same_profile else None
        self.profile = profile
        self.managers = [m for m in managers if profile.can_see_store(m.store_id)]
        self._quiet = True
        try:
            if not same_profile:
                # A manager sees the holdout only as a count: no filter lists its members.
                self._fill_statuses(with_holdout=profile.is_lead)
            self.store_combo.clear()
            visible = [store for store in stores if profile.can_see_store(store.id)]
            if profile.is_lead:
                self.store_combo.addItem("All stores", ALL_ENTRY)
            for store in visible:
                self.store_combo.addItem(store.label, store.id)
            if profile.is_lead:
                self.store_combo.addItem("Unassigned", UNASSIGNED_ENTRY)
            index = self.store_combo.findData(keep_store)
            self.store_combo.setCurrentIndex(max(index, 0))
            self._fill_managers(keep_manager)
        finally:
            self._quiet = False

    def _fill_statuses(self, *, with_holdout: bool) -> None:
        keep = self.status_combo.currentData()
        self.status_combo.clear()
        self.status_combo.addItem("Any status", "")
        for status, label in STATUS_LABELS.items():
            if with_holdout or status is not MemberStatus.HOLDOUT:
                self.status_combo.addItem(label, status.value)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(keep), 0))

    def _fill_managers(self, keep: object = None) -> None:
        store_id = self.store_combo.currentData()
        self.manager_combo.clear()
        self.manager_combo.addItem("All managers", ALL_ENTRY)
        if store_id == UNASSIGNED_ENTRY:
            self.manager_combo.setEnabled(False)
            return
        self.manager_combo.setEnabled(True)
        for manager in self.managers:
            if store_id in (ALL_ENTRY, manager.store_id):
                name = manager.name if manager.active else f"{manager.name} (left)"
                self.manager_combo.addItem(name, manager.id)
        self.manager_combo.setCurrentIndex(max(self.manager_combo.findData(keep), 0))

    def _on_store_changed(self, _index: int) -> None:
        was_quiet = self._quiet
        self._quiet = True
        try:
            self._fill_managers(self.manager_combo.currentData())
        finally:
            self._quiet = was_quiet
        self._emit()

    # -- reading and setting ----------------------------------------------------------------
    def choice(self) -> FilterChoice:
        store = self.store_combo.currentData()
        manager = self.manager_combo.currentData()
        status = self.status_combo.currentData()
        unassigned = store == UNASSIGNED_ENTRY
        return FilterChoice(
            store_id=int(store) if store and not unassigned else None,
            manager_id=int(manager) if manager else None,
            status=MemberStatus(status) if status else None,
            search=self.search.text().strip(),
            unassigned=unassigned,
        )

    def show_place(
        self, store_id: int | None, manager_id: int | None, *, unassigned: bool = False
    ) -> None:
        """Point the store and manager filters at one line of the overview."""
        self._quiet = True
        try:
            wanted = UNASSIGNED_ENTRY if unassigned else (store_id or ALL_ENTRY)
            self.store_combo.setCurrentIndex(max(self.store_combo.findData(wanted), 0))
            self._fill_managers(manager_id or ALL_ENTRY)
        finally:
            self._quiet = False
        self._emit()

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit(self.choice())
