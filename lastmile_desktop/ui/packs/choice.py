"""Which store and which campaign: the small dialog before a store pack or results export."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import CampaignInfo
from lastmile_desktop.campaigns.stores import StoreInfo, store_sort_key

OWN_STORE_TIP = "A store manager works with their own store only."


class StoreChoiceDialog(QDialog):
    """A campaign and a store, open campaigns first; a store manager's store is fixed."""

    def __init__(
        self,
        title: str,
        intro: str,
        *,
        campaigns: list[CampaignInfo],
        stores: list[StoreInfo],
        profile: Profile,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("storeChoiceDialog")
        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumContentsLength(28)
        for campaign in campaigns:
            closed = "" if campaign.is_open else " (closed)"
            self.campaign_combo.addItem(f"{campaign.name}{closed}", campaign.id)
        self.store_combo = QComboBox()
        self.store_combo.setMinimumContentsLength(28)
        shown = [s for s in stores if profile.is_lead or s.id == profile.store_id]
        for store in sorted(shown, key=lambda s: store_sort_key(s.name, s.code)):
            self.store_combo.addItem(store.label, store.code)
        if not profile.is_lead:
            self.store_combo.setEnabled(False)
            self.store_combo.setToolTip(OWN_STORE_TIP)
        campaign_label = QLabel("Campa&ign (Alt+I):")
        campaign_label.setBuddy(self.campaign_combo)
        store_label = QLabel("S&tore (Alt+T):")
        store_label.setBuddy(self.store_combo)
        text = QLabel(intro)
        text.setWordWrap(True)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(store_label, self.store_combo)
        form.addRow(campaign_label, self.campaign_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Next... (Enter)")
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(bool(campaigns) and bool(shown))
        if not campaigns:
            self.ok_button.setToolTip("There is no campaign yet: import a customer list first.")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Cancel (Esc)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.store_combo.setFocus()

    def choose(self, store_code: str, campaign_id: int | None = None) -> None:
        """Pick a store (and a campaign) as the user would."""
        self.store_combo.setCurrentIndex(max(self.store_combo.findData(store_code), 0))
        if campaign_id is not None:
            self.campaign_combo.setCurrentIndex(max(self.campaign_combo.findData(campaign_id), 0))

    @property
    def campaign_id(self) -> int | None:
        value = self.campaign_combo.currentData()
        return value if isinstance(value, int) else None

    @property
    def campaign_name(self) -> str:
        return self.campaign_combo.currentText().removesuffix(" (closed)")

    @property
    def store_code(self) -> str | None:
        value = self.store_combo.currentData()
        return value if isinstance(value, str) else None
