"""File > Settings: the database's region, first day of the week and date order."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.database_settings import (
    DatabaseSettings,
    load_database_settings,
    save_database_settings,
)
from lastmile_desktop.data_settings import WEEKDAYS, DateOrder
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.region_picker import RegionPicker

SETTINGS_SHORTCUT = "Ctrl+,"
NO_REGION_TEXT = "Not set: work it out from each list's numbers"
DATE_ORDER_CHOICES: tuple[tuple[str, DateOrder | None], ...] = (
    ("Automatic: as the file shows, else as the region writes them", None),
    ("Day first: 03/04/2024 is 3 April", DateOrder.DAY_FIRST),
    ("Month first: 03/04/2024 is March 4", DateOrder.MONTH_FIRST),
)
LEAD_ONLY = "Only the regional lead changes the database's settings."


class SettingsDialog(QDialog):
    """Shows the open database's settings and saves them in one go (the lead only)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        intro = QLabel(
            f"These settings belong to the database ({context.db.display_name}): every window "
            "and command that opens it uses them."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)

        self.region = RegionPicker(NO_REGION_TEXT)
        self.region.setToolTip(
            "The country phone numbers and dates written without one are read in. When it is "
            "not set, each import works it out from the numbers and says which it used."
        )
        self.first_day = QComboBox()
        for day in WEEKDAYS:
            self.first_day.addItem(day.capitalize())
        self.date_order = QComboBox()
        for text, _order in DATE_ORDER_CHOICES:
            self.date_order.addItem(text)
        self.date_order.setToolTip(
            "How dates such as 03/04/2024 are read when the column itself does not tell "
            "(a value such as 25/04/2024 settles it). One import can still choose otherwise."
        )

        form = QFormLayout()
        form.addRow("&Region (Alt+R):", self.region)
        form.addRow("&First day of the week (Alt+F):", self.first_day)
        form.addRow("&Date order (Alt+D):", self.date_order)

        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.message.hide()
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel  (Esc)")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.show_settings(load_database_settings(context.db))
        if not context.profile.is_lead:
            for widget in (self.region, self.first_day, self.date_order, self.save_button):
                widget.setEnabled(False)
                widget.setToolTip(LEAD_ONLY)
            self.message.setText(LEAD_ONLY)
            self.message.show()

    def show_settings(self, settings: DatabaseSettings) -> None:
        self.region.set_region(settings.default_region)
        self.first_day.setCurrentIndex(settings.first_day_of_week)
        orders = [order for _text, order in DATE_ORDER_CHOICES]
        self.date_order.setCurrentIndex(orders.index(settings.date_order))

    def chosen(self) -> DatabaseSettings:
        return DatabaseSettings(
            default_region=self.region.region(),
            first_day_of_week=self.first_day.currentIndex(),
            date_order=DATE_ORDER_CHOICES[self.date_order.currentIndex()][1],
        )

    def save(self) -> None:
        try:
            save_database_settings(self.context.db, self.chosen(), self.context.profile)
        except UserFacingError as error:
            self.message.setText(str(error))
            self.message.show()
            return
        self.accept()
