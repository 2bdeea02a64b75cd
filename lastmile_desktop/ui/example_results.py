"""Writes the results workbook of the demo region into docs/, with a picture of it.

    python -m lastmile_desktop.ui.example_results docs      (or: make example-results)

``docs/example-results.xlsx`` is what ``lastmile export`` writes for a small demo region, so
a reader can open one; ``docs/screenshots/example-results.png`` shows the first rows of its
Call results sheet, drawn from the file as a spreadsheet shows it (column letters, row
numbers, the table's header and bands, values in their number formats, the file's column
widths, the sheet tabs), with most of the customer's own columns hidden. Everything else
happens in a temporary folder: the user's data and settings are never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lastmile_desktop.settings import DATA_DIR_ENV_VAR, DB_ENV_VAR, to_url

WORKBOOK_NAME = "example-results.xlsx"
PICTURE_NAME = "example-results.png"
PICTURE_ROWS = 16  # the header and the first customers
# The columns the picture shows: who, then what the calls brought. The customer's other
# columns are hidden, as a person would hide them (their letters are skipped).
PICTURE_COLUMNS = (
    "Customer id",
    "First name",
    "Last name",
    "Store",
    "Manager",
    "Group",
    "Attempts",
    "Last outcome",
    "Last call at",
    "Accepted",
    "Callback due",
    "Came back on",
    "Spent since call",
)
PIXELS_PER_CHARACTER = 8  # the picture's font is wider than Calibri, Excel's width unit
# Excel's "Table Style Medium 2": a blue header row with white text, light blue bands.
HEADER_COLOUR = "#4472c4"
BAND_COLOUR = "#d9e1f2"


def cell_text(value: Any, number_format: str) -> str:
    """A value as a spreadsheet shows it under the export's number formats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d %H:%M" if "hh:mm" in number_format else "%Y-%m-%d")
    if isinstance(value, int | float):
        if number_format == "0.0%":
            return f"{value:.1%}"
        if number_format == "#,##0.00":
            return f"{value:,.2f}"
        if number_format == "#,##0":
            return f"{value:,.0f}"
        return f"{value:g}"
    return str(value)


def render_sheet(
    workbook: Path,
    sheet_name: str,
    titles: Sequence[str] = PICTURE_COLUMNS,
    rows: int = PICTURE_ROWS,
) -> Any:
    """The first ``rows`` rows of ``sheet_name``, the columns headed ``titles`` only, as a
    QImage drawn from the file."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QBrush, QColor, QFont
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QTabBar,
        QTableWidget,
        QTableWidgetItem,
        QVBoxLayout,
        QWidget,
    )

    book = openpyxl.load_workbook(workbook)
    sheet = book[sheet_name]
    header = [cell.value for cell in sheet[1]]
    shown = [header.index(title) + 1 for title in titles]  # 1 is column A
    widths: list[int] = []
    for position in shown:
        width = 8.43  # Excel's default
        for dimension in sheet.column_dimensions.values():
            if dimension.min <= position <= dimension.max and dimension.customWidth:
                width = float(dimension.width)
        widths.append(int(width * PIXELS_PER_CHARACTER + 5))

    frame = QWidget()
    frame.setStyleSheet("background: white;")
    table = QTableWidget(rows, len(widths))
    table.setHorizontalHeaderLabels([get_column_letter(position) for position in shown])
    table.setVerticalHeaderLabels([str(n) for n in range(1, rows + 1)])
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setStyleSheet("QTableWidget { gridline-color: #d4d4d4; font-size: 12px; }")
    bold = QFont(table.font())
    bold.setBold(True)
    for position, pixels in enumerate(widths):
        table.setColumnWidth(position, pixels)
    for row_number, cells in enumerate(sheet.iter_rows(min_row=1, max_row=rows)):
        table.setRowHeight(row_number, 22)
        for position, cell in enumerate(cells[column - 1] for column in shown):
            item = QTableWidgetItem(cell_text(cell.value, cell.number_format))
            if row_number == 0:
                item.setFont(bold)
                item.setBackground(QBrush(QColor(HEADER_COLOUR)))
                item.setForeground(QBrush(QColor("white")))
            elif row_number % 2 == 1:
                item.setBackground(QBrush(QColor(BAND_COLOUR)))
            if isinstance(cell.value, int | float | datetime | date):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row_number, position, item)
    tabs = QTabBar()
    tabs.setShape(QTabBar.Shape.RoundedSouth)
    for name in book.sheetnames:
        tabs.addTab(name)
    tabs.setCurrentIndex(book.sheetnames.index(sheet_name))
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(table)
    layout.addWidget(tabs, alignment=Qt.AlignmentFlag.AlignLeft)
    header_height = table.horizontalHeader().height()
    frame.resize(
        table.verticalHeader().width() + sum(widths) + 2,
        header_height + 22 * rows + 2 + tabs.sizeHint().height(),
    )
    frame.show()
    image = frame.grab().toImage()
    frame.close()
    return image


def write_example(docs: Path, customers: int, seed: int, today: date | None) -> list[Path]:
    """The demo region's results workbook and its picture; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lastmile_desktop.campaigns.access import Profile
    from lastmile_desktop.demo import generate_demo
    from lastmile_desktop.exporting.results import export_results
    from lastmile_desktop.storage import open_database
    from lastmile_desktop.ui.application import create_application

    pictures = docs / "screenshots"
    pictures.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lastmile-example-") as scratch:
        os.environ[DATA_DIR_ENV_VAR] = scratch
        os.environ.pop(DB_ENV_VAR, None)
        app = create_application()
        db, _ = open_database(to_url(Path(scratch) / "demo.sqlite3"))
        try:
            generate_demo(db, customers=customers, seed=seed, today=today)
            summary = export_results(db, Profile.lead(), docs / WORKBOOK_NAME)
        finally:
            db.dispose()
        image = render_sheet(summary.file, "Call results")
        picture = pictures / PICTURE_NAME
        if image.isNull() or not image.save(str(picture), "PNG"):
            raise OSError(f"could not write {picture}")
        app.processEvents()
    return [summary.file, picture]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lastmile_desktop.ui.example_results",
        description="Write the demo region's results workbook into DOCS, with a picture of it.",
    )
    parser.add_argument("docs", type=Path, metavar="DOCS", help="the docs folder")
    parser.add_argument("--customers", type=int, default=300, help="demo size (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="demo seed (default 7)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the demo is seen on (default: today)",
    )
    args = parser.parse_args(argv)
    for path in write_example(args.docs, args.customers, args.seed, args.today):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
