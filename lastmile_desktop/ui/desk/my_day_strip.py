"""My day: today's numbers for whoever is calling, in one strip above the desk."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lastmile_desktop.calling.my_day import MyDay

TILES: tuple[tuple[str, str, str], ...] = (
    # (MyDay field, label, what it counts)
    ("calls_made", "calls made", "Calls logged today"),
    ("reached", "reached", "Calls today where the customer was spoken to"),
    ("accepted", "accepted", "Customers who accepted the offer today"),
    ("callbacks_due", "callbacks due", "Callbacks booked for today that are still to make"),
    ("left_to_call", "left to call", "Customers in the queue still to call"),
)


class MyDayStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myDay")
        self.numbers: dict[str, QLabel] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.setSpacing(18)
        title = QLabel("My day")
        title.setObjectName("myDayTitle")
        row.addWidget(title)
        for field, label, tip in TILES:
            tile = QWidget()
            tile.setToolTip(tip)
            column = QVBoxLayout(tile)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            number = QLabel("–")
            number.setObjectName("myDayNumber")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(label)
            caption.setObjectName("myDayLabel")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(number)
            column.addWidget(caption)
            tile.setAccessibleName(label)
            self.numbers[field] = number
            row.addWidget(tile)

    def show_day(self, day: MyDay | None) -> None:
        for field, number in self.numbers.items():
            value = getattr(day, field) if day is not None else None
            number.setText("–" if value is None else QLocale().toString(int(value)))

    def value(self, field: str) -> str:
        return self.numbers[field].text()
