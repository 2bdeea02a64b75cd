"""Where every row went: one tile per bucket and the line that proves nothing was lost."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lastmile_desktop.importing.model import BucketCounts

# (attribute of BucketCounts, label on the tile, what it means)
BUCKETS: tuple[tuple[str, str, str], ...] = (
    ("imported", "Imported", "new customers added to the list"),
    ("updated", "Updated", "customers already in the campaign, refreshed"),
    ("duplicates", "Duplicates", "rows repeating an earlier row of the file"),
    ("rejected", "Rejected", "rows that cannot be called, with the reason"),
    ("suppressed", "Suppressed", "customers on the do-not-call list"),
)


def identity_line(counts: BucketCounts) -> str:
    """rows read = imported + updated + duplicates + rejected + suppressed, in words."""
    number = QLocale().toString
    parts = " + ".join(
        f"{number(getattr(counts, name))} {label.lower()}" for name, label, _ in BUCKETS
    )
    sign = "=" if counts.accounted_for else "≠"
    return f"{number(counts.rows_read)} rows read {sign} {parts}"


class CountTile(QWidget):
    def __init__(self, label: str, meaning: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countTile")
        # Plain QWidgets paint no style-sheet background unless asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        self.value = QLabel("0")
        self.value.setObjectName("countValue")
        self.caption = QLabel(label)
        self.caption.setObjectName("countCaption")
        self.setToolTip(meaning[0].upper() + meaning[1:])
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class BucketCountsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts = BucketCounts()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        tiles_row = QHBoxLayout()
        tiles_row.setSpacing(8)
        self.rows_read_tile = CountTile("Rows read", "every data row below the header")
        self.rows_read_tile.setObjectName("countTileTotal")
        tiles_row.addWidget(self.rows_read_tile)
        self.tiles: dict[str, CountTile] = {}
        for name, label, meaning in BUCKETS:
            tile = CountTile(label, meaning)
            self.tiles[name] = tile
            tiles_row.addWidget(tile)
        tiles_row.addStretch(1)
        self.identity = QLabel()
        self.identity.setObjectName("hint")
        self.identity.setWordWrap(True)
        outer.addLayout(tiles_row)
        outer.addWidget(self.identity)
        self.set_counts(BucketCounts())

    @property
    def counts(self) -> BucketCounts:
        return self._counts

    def set_counts(self, counts: BucketCounts) -> None:
        self._counts = counts
        number = QLocale().toString
        self.rows_read_tile.value.setText(number(counts.rows_read))
        for name, tile in self.tiles.items():
            value = getattr(counts, name)
            tile.value.setText(number(value))
            # The label itself carries the property: a parent's change does not re-style it.
            tile.value.setProperty("empty", value == 0)
            tile.value.style().unpolish(tile.value)
            tile.value.style().polish(tile.value)
        self.identity.setText(identity_line(counts))
