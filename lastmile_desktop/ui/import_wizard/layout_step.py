"""Step 2: which sheet holds the list and which row holds its headers, with a live preview."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.importing.model import ImportPreview
from lastmile_desktop.ui.import_wizard.grid_model import PreviewGridModel
from lastmile_desktop.ui.import_wizard.widgets import InlineMessage, StepHeading, read_only_table

# Typing "1", "2" into the spin box should not read the file after each key.
HEADER_ROW_SETTLE_MS = 300


class LayoutStep(QWidget):
    # sheet name, header row (1-based) or None to let the engine find it on a new sheet
    layout_changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = StepHeading(
            "Sheet and header row",
            "Check that the highlighted row holds the column names. Rows above it (titles, "
            "notes) are skipped. Double-click a row to make it the header row.",
        )
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(220)
        self.header_spin = QSpinBox()
        self.header_spin.setMinimum(1)
        self.header_spin.setMinimumWidth(90)
        self.header_spin.setAccelerated(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        sheet_label = QLabel("&Sheet:")
        sheet_label.setBuddy(self.sheet_combo)
        header_label = QLabel("Header &row:")  # Alt+H is the Help menu
        header_label.setBuddy(self.header_spin)
        form.addRow(sheet_label, self.sheet_combo)
        form.addRow(header_label, self.header_spin)

        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addLayout(form)
        controls.addSpacing(24)
        controls.addWidget(self.status, 1, Qt.AlignmentFlag.AlignBottom)

        self.grid_model = PreviewGridModel()
        self.grid = read_only_table(self.grid_model, stretch_last=False)
        self.grid.setToolTip("Double-click a row to use it as the header row")
        self.grid.doubleClicked.connect(self._use_row_as_header)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(controls)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        layout.addWidget(self.grid, 1)

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(HEADER_ROW_SETTLE_MS)
        self._settle.timeout.connect(self._emit_header_row)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.header_spin.valueChanged.connect(self._header_row_edited)

    def set_preview(self, preview: ImportPreview) -> None:
        """Show what the engine found, without echoing it back as a user change."""
        self._settle.stop()
        self.sheet_combo.blockSignals(True)
        self.header_spin.blockSignals(True)
        try:
            self.sheet_combo.clear()
            for sheet in preview.sheets:
                label = sheet.name if sheet.visible else f"{sheet.name} (hidden)"
                self.sheet_combo.addItem(label, sheet.name)
            position = self.sheet_combo.findData(preview.layout.sheet)
            self.sheet_combo.setCurrentIndex(max(position, 0))
            self.sheet_combo.setEnabled(len(preview.sheets) > 1)
            self.header_spin.setMaximum(max(len(preview.grid), preview.layout.header_row, 1))
            self.header_spin.setValue(preview.layout.header_row)
        finally:
            self.sheet_combo.blockSignals(False)
            self.header_spin.blockSignals(False)
        self.grid_model.set_grid(preview.grid, preview.layout.header_row)
        self.grid.resizeColumnsToContents()
        for column in range(self.grid_model.columnCount()):
            self.grid.setColumnWidth(column, min(self.grid.columnWidth(column), 260))
        self.grid.scrollTo(self.grid_model.index(max(preview.layout.header_row - 1, 0), 0))
        columns = len(preview.layout.headers)
        self.status.setText(
            f"Row {preview.layout.header_row} of sheet “{preview.layout.sheet}” has "
            f"{columns} column{'s' if columns != 1 else ''}; "
            f"{preview.counts.rows_read} data row{'s' if preview.counts.rows_read != 1 else ''} "
            "below it."
        )

    def show_error(self, text: str) -> None:
        self.message.show_message(text, "error")

    def clear_error(self) -> None:
        self.message.clear_message()

    def current_sheet(self) -> str:
        return str(self.sheet_combo.currentData() or "")

    def _sheet_changed(self, _index: int) -> None:
        self._settle.stop()
        self.layout_changed.emit(self.current_sheet(), None)

    def _header_row_edited(self, value: int) -> None:
        self.grid_model.set_header_row(value)  # instant feedback; the engine follows
        self._settle.start()

    def _emit_header_row(self) -> None:
        self.layout_changed.emit(self.current_sheet(), self.header_spin.value())

    def _use_row_as_header(self, index: QModelIndex) -> None:
        self.header_spin.setValue(index.row() + 1)
        self._settle.stop()
        self._emit_header_row()

    def flush(self) -> bool:
        """Send a header row still waiting to settle; True if one was sent."""
        if self._settle.isActive():
            self._settle.stop()
            self._emit_header_row()
            return True
        return False

    def focus_default(self) -> None:
        self.header_spin.setFocus()
        self.header_spin.selectAll()
