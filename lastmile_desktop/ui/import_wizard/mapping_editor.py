"""One row per column: its header, a few values, the field it goes to, and how sure the guess is."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QWidget,
)

from lastmile_desktop.importing.model import ColumnGuess, Field
from lastmile_desktop.ui.import_wizard.columns import column_letter

EXTRA_LABEL = "Keep as extra column"
# The combo's item data for "extra"; not None, which the separator item also holds.
EXTRA_DATA = "extra"
# Below this the guess is flagged for the user to check. The engine gives a header it
# recognises 0.8 or more; a guess from the values alone (a header like "Ref" or "Col 4") less.
LOW_CONFIDENCE = 0.8
SAMPLES_SHOWN = 3
HEADER_CELLS = ("Column", "Sample values", "Goes to", "Confidence")


def field_label(field: Field | None) -> str:
    return EXTRA_LABEL if field is None else field.label


class ConfidenceCell(QWidget):
    """A thin bar with the percentage, or why there is none (no match, the user's choice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("confidenceBar")
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(90)
        self.bar.setFixedHeight(14)
        self.bar.setTextVisible(False)
        self.text = QLabel(self)
        self.text.setObjectName("confidenceText")
        self.text.setMinimumWidth(120)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.addWidget(self.bar, 0, 0)
        layout.addWidget(self.text, 0, 1)

    def show_guess(self, guess: ColumnGuess) -> None:
        if guess.field is None:
            self.bar.hide()
            self.text.setText("no field matched")
            self._set_level("none")
            return
        percent = round(guess.confidence * 100)
        self.bar.setValue(percent)
        self.bar.show()
        low = guess.confidence < LOW_CONFIDENCE
        self.text.setText(f"{percent}%  · check this" if low else f"{percent}%")
        self._set_level("low" if low else "high")

    def show_user_choice(self) -> None:
        self.bar.hide()
        self.text.setText("your choice")
        self._set_level("user")

    @property
    def level(self) -> str:
        return str(self.bar.property("level"))

    def _set_level(self, level: str) -> None:
        for widget in (self.bar, self.text):
            widget.setProperty("level", level)
            widget.style().unpolish(widget)
            widget.style().polish(widget)


class MappingRow:
    """The widgets of one column; the editor lays them out in a grid."""

    def __init__(self, guess: ColumnGuess) -> None:
        self.guess = guess
        name = guess.header.strip() or "(no header)"
        self.header = QLabel(f"<b>{column_letter(guess.column)}</b>&nbsp;&nbsp;{_escape(name)}")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        samples = [sample for sample in guess.samples if sample.strip()][:SAMPLES_SHOWN]
        self.samples = QLabel(" · ".join(samples) if samples else "(empty)")
        self.samples.setObjectName("sampleValues")
        self.samples.setToolTip("\n".join(guess.samples))
        self.samples.setMaximumWidth(360)
        self.combo = QComboBox()
        self.combo.setAccessibleName(f"Field for column {name}")
        for field in Field:
            self.combo.addItem(field.label, field.value)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(EXTRA_LABEL, EXTRA_DATA)
        self.combo.setMinimumWidth(200)
        self.confidence = ConfidenceCell()
        self.select(guess.field)
        self.confidence.show_guess(guess)

    def select(self, field: Field | None) -> None:
        self.combo.setCurrentIndex(
            self.combo.findData(EXTRA_DATA if field is None else field.value)
        )

    def field(self) -> Field | None:
        value = self.combo.currentData()
        return None if value in (None, EXTRA_DATA) else Field(str(value))

    def refresh_confidence(self) -> None:
        if self.field() == self.guess.field:
            self.confidence.show_guess(self.guess)
        else:
            self.confidence.show_user_choice()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MappingEditor(QScrollArea):
    mapping_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mappingEditor")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.rows: list[MappingRow] = []
        self._body = QWidget()
        self._body.setObjectName("mappingBody")
        self._grid = QGridLayout(self._body)
        self._grid.setHorizontalSpacing(18)
        self._grid.setVerticalSpacing(6)
        self.setWidget(self._body)

    def set_guesses(self, guesses: list[ColumnGuess]) -> None:
        self._clear()
        for position, title in enumerate(HEADER_CELLS):
            cell = QLabel(title)
            cell.setObjectName("mappingHeader")
            self._grid.addWidget(cell, 0, position)
        for line, guess in enumerate(guesses, start=1):
            row = MappingRow(guess)
            row.combo.currentIndexChanged.connect(lambda _=0, r=row: self._row_changed(r))
            self._grid.addWidget(row.header, line, 0)
            self._grid.addWidget(row.samples, line, 1)
            self._grid.addWidget(row.combo, line, 2)
            self._grid.addWidget(row.confidence, line, 3)
            self.rows.append(row)
        self._grid.setColumnStretch(1, 1)
        self._grid.setRowStretch(len(guesses) + 1, 1)
        # Tab walks down the combos in column order, the one thing to edit here.
        for earlier, later in zip(self.rows, self.rows[1:], strict=False):
            QWidget.setTabOrder(earlier.combo, later.combo)

    def _clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for line in range(self._grid.rowCount()):
            self._grid.setRowStretch(line, 0)
        self.rows = []

    def _row_changed(self, row: MappingRow) -> None:
        row.refresh_confidence()
        self.mapping_changed.emit()

    def mapping(self) -> dict[int, Field | None]:
        return {row.guess.column: row.field() for row in self.rows}

    def set_field(self, column: int, field: Field | None) -> None:
        """Choose a field as the user would (used by keyboard helpers and tests)."""
        for row in self.rows:
            if row.guess.column == column:
                row.select(field)
                return
        raise KeyError(f"no column at position {column}")

    def row_for_header(self, header: str) -> MappingRow:
        for row in self.rows:
            if row.guess.header == header:
                return row
        raise KeyError(f"no column named {header!r}")

    def fields_used_twice(self) -> list[Field]:
        counts = Counter(field for field in self.mapping().values() if field is not None)
        return [field for field, count in counts.items() if count > 1]

    def is_overridden(self) -> bool:
        return any(row.field() != row.guess.field for row in self.rows)

    def focus_first(self) -> None:
        if self.rows:
            self.rows[0].combo.setFocus()
