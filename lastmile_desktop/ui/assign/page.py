"""The Assign page: pick a campaign, then its customers, campaigns, stores and do-not-call tabs."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.campaigns import CampaignInfo, list_campaigns
from lastmile_desktop.ui.assign.actions import ASSIGN_TIP, AssignActions
from lastmile_desktop.ui.assign.customers_tab import CustomersTab
from lastmile_desktop.ui.assign.widgets import HINT_STYLE, WARNING_STYLE, page_title
from lastmile_desktop.ui.campaigns.campaigns_tab import CampaignsTab
from lastmile_desktop.ui.campaigns.dnc_tab import DncTab
from lastmile_desktop.ui.campaigns.stores_tab import StoresTab
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.refresh_when_shown import RefreshWhenShown

SETTINGS_CAMPAIGN = "assign/campaign_id"
# A disabled primary button must look disabled, not like one waiting to be pressed.
PAGE_STYLE = (
    "QPushButton#primaryButton:disabled { background: #a9c3cc; color: #eef3f5;"
    " border: 1px solid #a9c3cc; }"
)
TAB_CUSTOMERS = 0
TAB_CAMPAIGNS = 1
TAB_STORES = 2
TAB_DNC = 3


class AssignPage(QWidget):
    # Something this page changed moved customers between owners (for tests and the status).
    members_changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.campaigns: list[CampaignInfo] = []
        self._reloading = False
        self.setStyleSheet(PAGE_STYLE)

        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumContentsLength(24)
        self.campaign_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_combo.currentIndexChanged.connect(self._on_campaign_changed)
        campaign_label = QLabel("Campa&ign")
        campaign_label.setBuddy(self.campaign_combo)
        self.assign_action = QAction("Assign now", self)
        self.assign_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.addAction(self.assign_action)
        self.assign_button = QPushButton("Assign now  (Ctrl+Shift+A)")
        self.assign_button.setObjectName("primaryButton")
        self.assign_button.setToolTip(ASSIGN_TIP)
        self.assign_button.clicked.connect(self.assign_action.trigger)
        header = QHBoxLayout()
        header.addWidget(page_title("Assign"))
        header.addSpacing(24)
        header.addWidget(campaign_label)
        header.addWidget(self.campaign_combo)
        header.addStretch(1)
        header.addWidget(self.assign_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.customers = CustomersTab(context)
        self.campaigns_tab = CampaignsTab(context)
        self.stores_tab = StoresTab(context)
        self.dnc_tab = DncTab(context)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.customers, "&Customers")
        self.tabs.addTab(self.campaigns_tab, "Ca&mpaigns")
        self.tabs.addTab(self.stores_tab, "&Stores and managers")
        self.tabs.addTab(self.dnc_tab, "&Do not call")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        self.controller = AssignActions(self)
        self.campaigns_tab.campaign_saved.connect(self.select_campaign)
        self.stores_tab.move_work_requested.connect(self._move_work_for)
        self.dnc_tab.forget_requested.connect(self.controller.find_and_forget)
        # Off screen (behind the call desk, say) the page refreshes when it is shown again.
        self.live = RefreshWhenShown(self, context, self._on_changes)
        context.profile_changed.connect(lambda _profile: self.reload())
        context.assign_requested.connect(self.show_and_assign)
        self.reload()

    # -- campaigns --------------------------------------------------------------------------
    def reload(self) -> None:
        """Everything again from the database: campaigns, then the shown campaign's lists."""
        self._fill_campaigns()
        self._show_campaign()

    def refresh_page(self) -> None:
        """F5: everything again, keeping the campaign, the tab and every selection."""
        for tab in (self.campaigns_tab, self.stores_tab, self.dnc_tab):
            tab.refresh()
        self._on_changes([Changed(ChangeKind.EXTERNAL)])

    def _on_changes(self, changes: Sequence[Changed]) -> None:
        """Something changed (here, on another page or in another process): show it.

        The campaign picker and the Customers tab are refreshed here; the other tabs listen
        for the changes that concern them.
        """
        shown = self.campaign_id()
        kinds = (ChangeKind.IMPORTED, ChangeKind.CAMPAIGN_CHANGED, ChangeKind.ASSIGNED)
        if any(change.touches(*kinds) for change in changes):
            self._fill_campaigns()
        if self.campaign_id() != shown:
            self._show_campaign()  # the campaign shown is gone, or there is a first one
        else:
            self.customers.refresh()
        self.controller.update_enabled()

    def _fill_campaigns(self) -> None:
        """The campaign picker again, keeping the campaign shown when it still exists."""
        self._reloading = True
        try:
            wanted = self.campaign_id() or _remembered_campaign()
            self.campaigns = list_campaigns(self.context.db)
            self.campaign_combo.clear()
            for info in self.campaigns:
                suffix = "" if info.is_open else "  (closed)"
                self.campaign_combo.addItem(info.name + suffix, info.id)
            index = self.campaign_combo.findData(wanted) if wanted is not None else -1
            self.campaign_combo.setCurrentIndex(index if index >= 0 else 0)
            self.campaign_combo.setEnabled(bool(self.campaigns))
            if not self.campaigns:
                self.campaign_combo.addItem("No campaign yet")
                self.campaign_combo.setEnabled(False)
        finally:
            self._reloading = False

    def campaign_id(self) -> int | None:
        value = self.campaign_combo.currentData()
        return int(value) if value else None

    def current_campaign(self) -> CampaignInfo | None:
        campaign_id = self.campaign_id()
        return next((c for c in self.campaigns if c.id == campaign_id), None)

    def select_campaign(self, campaign_id: int) -> None:
        index = self.campaign_combo.findData(campaign_id)
        if index >= 0:
            self.campaign_combo.setCurrentIndex(index)

    def show_and_assign(self, campaign_id: int) -> None:
        """Show this campaign's customers and start Assign now (from the import summary)."""
        self.reload()
        self.select_campaign(campaign_id)
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.context.navigate_requested.emit("assign")
        if self.campaign_id() == campaign_id:
            self.controller.assign_now()

    def _on_campaign_changed(self, _index: int) -> None:
        if not self._reloading:
            self._show_campaign()

    def _show_campaign(self) -> None:
        campaign_id = self.campaign_id()
        if campaign_id is not None:
            QSettings().setValue(SETTINGS_CAMPAIGN, campaign_id)
            self.campaigns_tab.select_campaign(campaign_id)
        self.customers.show_campaign(campaign_id)
        self.controller.update_enabled()

    def _move_work_for(self, manager_id: int) -> None:
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.controller.move_work(manager_id)

    # -- messages ---------------------------------------------------------------------------
    def show_info(self, text: str) -> None:
        self.message.setStyleSheet(HINT_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(WARNING_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _remembered_campaign() -> int | None:
    value = QSettings().value(SETTINGS_CAMPAIGN)
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def build_assign_page(context: AppContext) -> QWidget:
    return AssignPage(context)
